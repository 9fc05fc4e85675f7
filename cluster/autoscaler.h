// Autoscaler: one sync period of the local cluster's horizontal scaling, as a pure function of
// what the supervisor observed (cluster/hpa_policy.h does the arithmetic).
//
// Two metrics, to compare in `s3ml bench slo`:
//  - kEpcPaging (s3ml): per replica, its host's EPC paging rate (pages/s); new servers go to the
//    least-pressured host, removed ones come from the most-pressured host (PickHostForNewServer /
//    PickHostForRemoval). Each server placed by one plan raises its host's resident fraction by the
//    cluster's mean fraction per server (its EPC use is not known before it runs), so a plan adding
//    several servers spreads them instead of stacking them on the one emptiest host.
//  - kCpu (what a default Kubernetes HPA does): per replica, its CPU use in percent of one core;
//    placement knows nothing of the EPC: a new server goes to the host with the fewest servers (the
//    default scheduler's spreading), a removal comes from the host with the most.
// Removal takes the newest server of the chosen host (highest number in "server-<n>"), so the
// servers `s3ml up` started go last.
#ifndef S3ML_CLUSTER_AUTOSCALER_H_
#define S3ML_CLUSTER_AUTOSCALER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/hpa_policy.h"
#include "core/status.h"

namespace s3ml::cluster {

enum class ScalingMetric { kEpcPaging, kCpu };

// "epc" | "cpu"; InvalidArgument otherwise.
Result<ScalingMetric> ParseScalingMetric(std::string_view name);
std::string_view ScalingMetricName(ScalingMetric metric);

struct HostObservation {
  std::string name;
  double paging_pages_per_second = 0;
  double resident_fraction = 0;  // resident / capacity
};

struct ServerObservation {
  std::string name;         // "server-<n>"
  std::string host;         // must be one of the observed hosts
  double cpu_percent = 0;   // of one core, over the last period
};

struct ScalingPlan {
  HpaDecision decision;
  double metric_per_replica = 0;         // what the HPA saw
  std::vector<std::string> add_on_hosts;  // one entry per server to start
  std::vector<std::string> remove;        // servers to drain and stop
};

class Autoscaler {
 public:
  // InvalidArgument for an invalid HPA configuration.
  static Result<Autoscaler> Create(ScalingMetric metric, HpaConfig config);

  // One period at monotonic time now_millis. FailedPrecondition when a server's host was not
  // observed (a failed scrape: the caller skips the period, as an HPA does without metrics);
  // InvalidArgument for negative or NaN observations.
  Result<ScalingPlan> Plan(int64_t now_millis, const std::vector<HostObservation>& hosts,
                           const std::vector<ServerObservation>& servers);

  ScalingMetric metric() const { return metric_; }

 private:
  Autoscaler(ScalingMetric metric, HpaController hpa) : metric_(metric), hpa_(std::move(hpa)) {}
  ScalingMetric metric_;
  HpaController hpa_;
};

// Orders "server-2" before "server-10" (numeric suffix), other names by text.
bool ServerNameLess(const std::string& a, const std::string& b);

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_AUTOSCALER_H_
