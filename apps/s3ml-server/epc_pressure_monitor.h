// EpcPressureMonitor: samples this server's simulated EPC host once a `interval` and turns the
// counters into (a) the EPC figures the metrics port exports and (b) the HAProxy agent's answer.
//
// Each sample reads the host's counters (tee/epc ReadHostSnapshot, read-only) and computes the
// paging rates since the previous sample with cluster/paging_rate.h; the host's paging throughput
// (evicted + loaded pages/s) feeds a cluster::WeightController (cluster/weight_policy.h: full
// weight below `low`, shrinking above, "drain" past `critical`, with hysteresis) when a weight
// policy is configured; without one the answer stays "up 100%\n" (the static policy).
// It lives in the app, not in serving/, because serving/ is a layer below cluster/; serving only
// sees the results through ModelServerOptions::agent_policy and ::epc_figures.
// Until two samples exist, and while the host cannot be read (the failure is logged once per
// change), the last answer stands ("up 100%\n" at first) and figures() keeps the last figures.
// Thread-safe; Stop() (and the destructor) joins the sampling thread.
#ifndef S3ML_APPS_S3ML_SERVER_EPC_PRESSURE_MONITOR_H_
#define S3ML_APPS_S3ML_SERVER_EPC_PRESSURE_MONITOR_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cluster/paging_rate.h"
#include "cluster/weight_policy.h"
#include "core/status.h"
#include "serving/epc_figures.h"

namespace s3ml::server {

struct EpcMonitorOptions {
  std::string host_id;
  // This server's own row on the host: its pid and EpcHostOptions::enclave_name.
  int32_t pid = 0;
  std::string enclave_name;
  // nullopt: static policy ("up 100%\n" whatever the paging).
  std::optional<cluster::WeightThresholds> weights;
  std::chrono::milliseconds interval{1000};
};

class EpcPressureMonitor {
 public:
  // Validates the thresholds (InvalidArgument) and the interval. Does not sample yet.
  static Result<std::unique_ptr<EpcPressureMonitor>> Create(EpcMonitorOptions options);
  ~EpcPressureMonitor();
  EpcPressureMonitor(const EpcPressureMonitor&) = delete;
  EpcPressureMonitor& operator=(const EpcPressureMonitor&) = delete;

  // One sampling step at monotonic time now_nanos (the thread passes core/clock.h's
  // MonotonicNanos). Errors when the host cannot be read or the time did not advance.
  Status SampleAt(uint64_t now_nanos);
  // Takes a first sample now, then samples every interval on a thread until Stop().
  void Start();
  void Stop();

  // "up NN%\n" or "drain\n".
  std::string AgentText() const;
  std::optional<serving::EpcFigures> figures() const;
  // The host's paging throughput at the last sample with a rate (pages/s), if any.
  std::optional<double> host_paging_rate() const;

 private:
  EpcPressureMonitor(EpcMonitorOptions options, std::optional<cluster::WeightController> controller)
      : options_(std::move(options)), controller_(std::move(controller)) {}
  void Loop();

  const EpcMonitorOptions options_;
  mutable std::mutex mu_;
  std::optional<cluster::WeightController> controller_;  // guarded by mu_
  std::optional<cluster::PagingSample> previous_;        // guarded by mu_
  std::optional<serving::EpcFigures> figures_;            // guarded by mu_
  std::optional<double> host_rate_;                       // guarded by mu_
  std::string answer_ = "up 100%\n";                      // guarded by mu_
  std::string last_error_;                                // guarded by mu_
  bool stopping_ = false;                                 // guarded by mu_
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace s3ml::server

#endif  // S3ML_APPS_S3ML_SERVER_EPC_PRESSURE_MONITOR_H_
