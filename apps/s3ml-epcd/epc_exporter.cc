#include "apps/s3ml-epcd/epc_exporter.h"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <vector>

namespace s3ml::epcd {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

MetricFamily Family(const char* name, const char* help, MetricType type) {
  MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  return f;
}

void Add(MetricFamily& family, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric m;
  m.label = std::move(labels);
  if (family.type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  family.metric.push_back(std::move(m));
}

}  // namespace

std::string EnclaveKey(const EnclaveReading& enclave) { return cluster::EnclaveRateKey(enclave.pid, enclave.name); }

EpcExporter::EpcExporter(std::string host, std::unique_ptr<EpcSource> source)
    : host_(std::move(host)), source_(std::move(source)) {}

Status EpcExporter::Sample(uint64_t now_nanos) {
  Result<EpcReading> reading = source_->Read();
  std::lock_guard<std::mutex> lock(mu_);
  up_ = reading.ok();
  if (!reading.ok()) return reading.status();
  cluster::PagingSample sample;
  sample.monotonic_nanos = now_nanos;
  sample.host = {reading->pages_evicted_total, reading->pages_loaded_total};
  for (const EnclaveReading& e : reading->enclaves) sample.enclaves[EnclaveKey(e)] = {e.pages_evicted, e.pages_loaded};
  if (sample_.has_value()) {
    Result<cluster::PagingRates> rates = cluster::ComputePagingRates(*sample_, sample);
    if (!rates.ok()) return rates.status();  // time went backwards: keep the previous figures
    rates_ = std::move(rates).value();
  }
  sample_ = std::move(sample);
  reading_ = std::move(reading).value();
  return Status::Ok();
}

std::optional<cluster::PagingRates> EpcExporter::last_rates() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rates_;
}

std::string EpcExporter::RenderText() const {
  std::vector<MetricFamily> families;
  std::lock_guard<std::mutex> lock(mu_);
  MetricFamily up = Family("s3ml_epc_source_up", "1 if the exporter could read the host's EPC figures at its last sample.",
                           MetricType::Gauge);
  Add(up, {{"host", host_}, {"source", source_->kind()}}, up_ ? 1 : 0);
  families.push_back(std::move(up));
  if (up_ && reading_.has_value()) {
    const EpcReading& r = *reading_;
    auto enclave_labels = [this](const EnclaveReading& e) {
      return std::vector<ClientMetric::Label>{{"enclave", e.name}, {"host", host_}, {"pid", std::to_string(e.pid)}};
    };
    const std::vector<ClientMetric::Label> host_labels = {{"host", host_}};

    MetricFamily capacity = Family("s3ml_epc_capacity_bytes", "Usable EPC of the host.", MetricType::Gauge);
    Add(capacity, host_labels, static_cast<double>(r.capacity_bytes));
    families.push_back(std::move(capacity));

    if (r.resident_bytes.has_value()) {
      MetricFamily resident =
          Family("s3ml_epc_resident_bytes", "EPC pages resident, host-wide and per enclave.", MetricType::Gauge);
      Add(resident, host_labels, static_cast<double>(*r.resident_bytes));
      for (const EnclaveReading& e : r.enclaves) Add(resident, enclave_labels(e), static_cast<double>(e.resident_bytes));
      families.push_back(std::move(resident));
    }

    MetricFamily evicted = Family("s3ml_epc_pages_evicted_total", "EPC pages evicted (EWB).", MetricType::Counter);
    MetricFamily loaded = Family("s3ml_epc_pages_loaded_total", "EPC pages loaded back (ELDU).", MetricType::Counter);
    Add(evicted, host_labels, static_cast<double>(r.pages_evicted_total));
    Add(loaded, host_labels, static_cast<double>(r.pages_loaded_total));
    for (const EnclaveReading& e : r.enclaves) {
      Add(evicted, enclave_labels(e), static_cast<double>(e.pages_evicted));
      Add(loaded, enclave_labels(e), static_cast<double>(e.pages_loaded));
    }
    families.push_back(std::move(evicted));
    families.push_back(std::move(loaded));

    if (rates_.has_value()) {
      MetricFamily rate = Family("s3ml_epc_paging_rate_pages_per_second",
                                 "EPC pages evicted plus loaded per second over the last sampling interval.",
                                 MetricType::Gauge);
      Add(rate, host_labels, rates_->host.total_per_second());
      for (const EnclaveReading& e : r.enclaves) {
        auto it = rates_->enclaves.find(EnclaveKey(e));
        if (it != rates_->enclaves.end()) Add(rate, enclave_labels(e), it->second.total_per_second());
      }
      families.push_back(std::move(rate));
    }
  }
  return prometheus::TextSerializer().Serialize(families);
}

Result<net::Router> MakeExporterRouter(const EpcExporter* exporter) {
  net::Router router;
  S3ML_RETURN_IF_ERROR(router.Add("GET", "/metrics", [exporter](net::HttpRequest, net::HttpResponder respond) {
    net::HttpResponse response = net::HttpResponse::Text(200, exporter->RenderText());
    response.headers.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    respond(std::move(response));
  }));
  return router;
}

}  // namespace s3ml::epcd
