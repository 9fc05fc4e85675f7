#include "apps/s3ml-server/server_epc.h"

#include <unistd.h>

#include "core/log.h"

namespace s3ml::server {

Result<ServerEpc> SetUpServerEpc(const ServerEpcFlags& flags, serving::ModelServerOptions& options) {
  if (flags.agent_policy != "static" && flags.agent_policy != "epc") {
    return InvalidArgument("--agent-policy must be static or epc, got \"" + flags.agent_policy + "\"");
  }
  if (flags.host.empty()) {
    if (flags.agent_policy == "epc") return InvalidArgument("--agent-policy epc needs --epc-host");
    return ServerEpc{};
  }
  if (flags.platform != "sim") {
    return InvalidArgument("--epc-host is the simulated EPC: use it with --platform sim (on SGX the hardware owns the EPC)");
  }
  if (flags.region_mib == 0 || flags.region_mib > 64 * 1024) return InvalidArgument("--epc-region-mib must be 1..65536");
  if (flags.sample_ms <= 0) return InvalidArgument("--epc-sample-ms must be positive");
  if (flags.capacity_mib < 0) return InvalidArgument("--epc-capacity-mib must not be negative");
  const std::string enclave_name = "s3ml-server";

  EpcMonitorOptions monitor_options;
  monitor_options.host_id = flags.host;
  monitor_options.pid = static_cast<int32_t>(getpid());
  monitor_options.enclave_name = enclave_name;
  monitor_options.interval = std::chrono::milliseconds(flags.sample_ms);
  if (flags.agent_policy == "epc") {
    cluster::WeightThresholds thresholds;
    thresholds.low_pages_per_second = flags.low_pages_per_s;
    thresholds.critical_pages_per_second = flags.critical_pages_per_s;
    thresholds.min_weight_percent = flags.min_weight_percent;
    thresholds.hysteresis = flags.hysteresis;
    monitor_options.weights = thresholds;
  }
  ServerEpc epc;
  Result<std::unique_ptr<EpcPressureMonitor>> monitor = EpcPressureMonitor::Create(monitor_options);
  if (!monitor.ok()) return InvalidArgument("EPC agent policy: " + monitor.status().message());
  epc.monitor = std::move(monitor).value();

  tee::epc::EpcHostOptions host_options;
  host_options.enclave_name = enclave_name;
  host_options.page_delay_cycles = flags.page_delay_cycles;
  if (flags.capacity_mib > 0) {
    host_options.capacity_pages = static_cast<uint64_t>(flags.capacity_mib * 1024 * 1024) / tee::epc::kEpcPageSize;
    if (host_options.capacity_pages == 0) return InvalidArgument("--epc-capacity-mib is below one page");
  }
  Result<std::shared_ptr<tee::epc::EpcHost>> host = tee::epc::EpcHost::Attach(flags.host, host_options);
  if (!host.ok()) return host.status().WithContext("--epc-host " + flags.host);
  const uint64_t capacity_bytes = host.value()->capacity_pages() * tee::epc::kEpcPageSize;
  S3ML_ASSIGN_OR_RETURN(epc.memory, serving::EpcEngineAllocator::Create(std::move(host).value(), flags.region_mib << 20));
  options.store.load.allocator = epc.memory.get();

  EpcPressureMonitor* raw = epc.monitor.get();
  options.epc_figures = [raw] { return raw->figures(); };
  if (flags.agent_policy == "epc") options.agent_policy = [raw] { return raw->AgentText(); };
  Log(LogLevel::kInfo, "server",
      "engine memory on simulated EPC host " + flags.host + " (capacity " + std::to_string(capacity_bytes) +
          " bytes), agent policy " + flags.agent_policy);
  return epc;
}

}  // namespace s3ml::server
