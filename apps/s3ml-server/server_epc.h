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

// Default thresholds (until `s3ml bench epc-slo` fits real ones for a deployment): one page in or
// out costs ~15-20 us here (AES-GCM, the fault, and the default 40,000-cycle modelled SGX delay).
// At 1,000 pages/s that is ~2% of a core and well under a millisecond added to a request: full
// weight. At 10,000 pages/s (~40 MiB/s) a request that has to reload a MobileNet-sized working
// set (~1,500 pages, evicted and loaded) waits tens of milliseconds, past a typical inference
// SLO: drain. Hysteresis 0.2 keeps a rate hovering at critical from flapping the server.
struct ServerEpcFlags {
  std::string platform;
  std::string host;              // empty: no EPC (then agent_policy must be "static")
  double capacity_mib = 0;       // only when this server creates the host; 0: 93.5 MiB
  uint64_t region_mib = 1024;    // virtual; touched pages count against the host
  uint64_t page_delay_cycles = tee::epc::EpcHostOptions().page_delay_cycles;
  int sample_ms = 1000;
  std::string agent_policy = "static";  // static | epc
  double low_pages_per_s = 1000;
  double critical_pages_per_s = 10000;
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
