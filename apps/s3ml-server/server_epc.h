// The s3ml-server's EPC set-up (simulated platform), out of main.cc: validates the EPC flags,
// attaches this process to the simulated EPC host as enclave "s3ml-server", puts the engine's
// memory there (serving/epc_engine_allocator.h) and wires the EpcPressureMonitor into the
// ModelServer's options (EPC figures for the metrics port; with policy "epc", the agent's answer).
//
// Errors: kInvalidArgument for bad flags (checked before anything touches the host, so a bad
// flag never creates a host segment), otherwise what attaching or creating the region returned.
#ifndef S3ML_APPS_S3ML_SERVER_SERVER_EPC_H_
#define S3ML_APPS_S3ML_SERVER_SERVER_EPC_H_

#include <cstdint>
#include <memory>
#include <string>

#include "apps/s3ml-server/epc_pressure_monitor.h"
#include "core/status.h"
#include "serving/epc_engine_allocator.h"
#include "serving/model_server.h"
#include "tee/epc/epc_host.h"

namespace s3ml::server {

// Default thresholds, from `s3ml bench epc-slo` on the bundled models (README, "EPC benchmarks"):
// paging is a cliff. A server whose working set fits its EPC share pages at most a few dozen
// pages/s and keeps its latency; one that does not fit reloads most of its pages on every
// inference (thousands of pages/s) and misses any inference SLO. The fitted thresholds were 106
// (MobileNet v1 0.25, p99 15 ms) and 263 pages/s (v2, p99 150 ms). So: full weight up to 100
// pages/s, drain from 1,000 (a host past that is over the cliff, not near it); a deployment should
// fit its own (`s3ml bench epc-slo`). Hysteresis 0.2 keeps a rate hovering at critical from
// flapping the server.
struct ServerEpcFlags {
  std::string platform;
  std::string host;              // empty: no EPC (then agent_policy must be "static")
  double capacity_mib = 0;       // only when this server creates the host; 0: 93.5 MiB
  uint64_t region_mib = 1024;    // virtual; touched pages count against the host
  uint64_t page_delay_cycles = tee::epc::EpcHostOptions().page_delay_cycles;
  int sample_ms = 1000;
  std::string agent_policy = "static";  // static | epc
  double low_pages_per_s = 100;
  double critical_pages_per_s = 1000;
  int min_weight_percent = 10;
  double hysteresis = 0.2;
};

struct ServerEpc {
  // Declared in this order so that the monitor stops before the memory goes; the memory must
  // outlive the ModelServer (destroy the server first).
  std::unique_ptr<serving::EpcEngineAllocator> memory;
  std::unique_ptr<EpcPressureMonitor> monitor;
};

// Does nothing (empty ServerEpc) without flags.host. Does not start sampling: call
// monitor->Start() once the server has booted.
Result<ServerEpc> SetUpServerEpc(const ServerEpcFlags& flags, serving::ModelServerOptions& options);

}  // namespace s3ml::server

#endif  // S3ML_APPS_S3ML_SERVER_SERVER_EPC_H_
