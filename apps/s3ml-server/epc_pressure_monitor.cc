#include "apps/s3ml-server/epc_pressure_monitor.h"

#include <algorithm>
#include <utility>

#include "core/clock.h"
#include "core/log.h"
#include "tee/epc/epc_host.h"
#include "tee/epc/host_snapshot.h"

namespace s3ml::server {

Result<std::unique_ptr<EpcPressureMonitor>> EpcPressureMonitor::Create(EpcMonitorOptions options) {
  if (options.host_id.empty()) return InvalidArgument("EPC monitor needs a host id");
  if (options.interval.count() <= 0) return InvalidArgument("EPC sampling interval must be positive");
  std::optional<cluster::WeightController> controller;
  if (options.weights.has_value()) {
    S3ML_ASSIGN_OR_RETURN(cluster::WeightController created, cluster::WeightController::Create(*options.weights));
    controller.emplace(std::move(created));
  }
  return std::unique_ptr<EpcPressureMonitor>(new EpcPressureMonitor(std::move(options), std::move(controller)));
}

EpcPressureMonitor::~EpcPressureMonitor() { Stop(); }

Status EpcPressureMonitor::SampleAt(uint64_t now_nanos) {
  Result<tee::epc::HostSnapshot> snapshot = tee::epc::ReadHostSnapshot(options_.host_id);
  std::lock_guard<std::mutex> lock(mu_);
  if (!snapshot.ok()) return snapshot.status().WithContext("EPC host " + options_.host_id);
  cluster::PagingSample sample = cluster::PagingSampleFromSnapshot(snapshot.value(), now_nanos);

  serving::EpcFigures figures;
  figures.host = options_.host_id;
  figures.enclave = options_.enclave_name;
  figures.capacity_bytes = snapshot.value().capacity_pages * tee::epc::kEpcPageSize;
  figures.host_resident_bytes = snapshot.value().resident_pages * tee::epc::kEpcPageSize;
  for (const tee::epc::EnclaveRow& row : snapshot.value().enclaves) {
    if (row.pid == options_.pid && row.name == options_.enclave_name) {
      figures.enclave_resident_bytes = row.resident_pages * tee::epc::kEpcPageSize;
    }
  }
  if (!previous_.has_value()) {
    previous_ = std::move(sample);
    figures_ = figures;  // sizes are known at once; rates need a second sample
    return Status::Ok();
  }
  S3ML_ASSIGN_OR_RETURN(cluster::PagingRates rates, cluster::ComputePagingRates(*previous_, sample));
  previous_ = std::move(sample);
  figures.host_evicted_per_second = rates.host.evicted_per_second;
  figures.host_loaded_per_second = rates.host.loaded_per_second;
  auto own = rates.enclaves.find(cluster::EnclaveRateKey(options_.pid, options_.enclave_name));
  if (own != rates.enclaves.end()) {
    figures.enclave_evicted_per_second = own->second.evicted_per_second;
    figures.enclave_loaded_per_second = own->second.loaded_per_second;
  }
  figures_ = figures;
  host_rate_ = rates.host.total_per_second();
  if (controller_.has_value()) {
    S3ML_ASSIGN_OR_RETURN(cluster::AgentAnswer answer, controller_->Answer(*host_rate_));
    answer_ = answer.ToAgentText();
  }
  return Status::Ok();
}

void EpcPressureMonitor::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void EpcPressureMonitor::Loop() {
  auto next = std::chrono::steady_clock::now();
  while (true) {
    Status sampled = SampleAt(MonotonicNanos());
    {
      std::unique_lock<std::mutex> lock(mu_);
      // Log a failure when it starts or changes, not once a second.
      const std::string error = sampled.ok() ? "" : sampled.ToString();
      if (error != last_error_ && !error.empty()) Log(LogLevel::kWarning, "epc", "sampling failed: " + error);
      if (error != last_error_ && error.empty()) Log(LogLevel::kInfo, "epc", "sampling recovered");
      last_error_ = error;
      // A late sample (a stalled machine) does not cause a burst of catch-up samples.
      next = std::max(next + options_.interval, std::chrono::steady_clock::now());
      if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
    }
  }
}

void EpcPressureMonitor::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string EpcPressureMonitor::AgentText() const {
  std::lock_guard<std::mutex> lock(mu_);
  return answer_;
}

std::optional<serving::EpcFigures> EpcPressureMonitor::figures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return figures_;
}

std::optional<double> EpcPressureMonitor::host_paging_rate() const {
  std::lock_guard<std::mutex> lock(mu_);
  return host_rate_;
}

}  // namespace s3ml::server
