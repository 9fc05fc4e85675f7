// HPA policy: the Kubernetes Horizontal Pod Autoscaler algorithm (autoscaling/v2 with `behavior`)
// on the EPC paging-rate metric, as a deterministic function with state; plus placement.
//
// Each Decide(now, current, metric) is one HPA sync period:
//  1. Bounds first: current == 0 disables scaling (as Kubernetes does when a target is scaled to
//     zero); current > max gives max, current < min gives min (no behaviour applied).
//  2. Metric: ratio = metric / target; |1 - ratio| <= tolerance keeps `current`; otherwise
//     proposal = ceil(current x ratio). `metric` is what a Pods metric with an AverageValue target
//     would see: the mean over the replicas of their host's paging rate (pages/s), or of their CPU
//     use (cluster/autoscaler.h).
//  3. Stabilisation: every proposal is recorded with its time. The result is `current` raised to
//     at least the MIN of the proposals within the scale-up window and lowered to at most the MAX
//     of the proposals within the scale-down window (both windows include this proposal; a
//     proposal counts while its time is strictly after now - window). The first decision seeds the
//     history with `current` when the scale-down window is non-zero, so a fresh controller does
//     not scale down at once (Kubernetes does the same).
//  4. Rate limits: scaling up, each policy allows (Pods) start + value or (Percent)
//     ceil(start x (1 + value/100)) where start = current - added + removed within the policy's
//     period; scaling down, start - value or floor(start x (1 - value/100)). select kMax takes the
//     policy allowing the biggest change, kMin the smallest, kDisabled forbids that direction.
//     The limit never reverses the direction; max (up) and min (down) bound it too.
//  5. If the result differs from `current` the change is recorded as a scale event (the caller is
//     expected to apply it; the events feed the next rate limits).
// Defaults are Kubernetes's: tolerance 0.1; scale up: no stabilisation, max(4 pods, 100%) per 15 s;
// scale down: 300 s stabilisation, 100% per 15 s.
// Not modelled: missing or not-yet-ready pods' metrics (the caller passes one metric value), several
// metrics at once.
//
// Placement: a new server goes to the least-pressured host, a removed one comes from the most-
// pressured host (see PickHostForNewServer / PickHostForRemoval).
#ifndef S3ML_CLUSTER_HPA_POLICY_H_
#define S3ML_CLUSTER_HPA_POLICY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace s3ml::cluster {

enum class ScalingPolicyType { kPods, kPercent };
enum class SelectPolicy { kMax, kMin, kDisabled };

struct ScalingPolicy {
  ScalingPolicyType type = ScalingPolicyType::kPods;
  int32_t value = 1;           // > 0: pods, or percent of the period's starting replicas
  int64_t period_seconds = 15;  // 1..1800
};

struct ScalingRules {
  int64_t stabilization_window_seconds = 0;  // 0..3600
  std::vector<ScalingPolicy> policies;       // at least one unless select is kDisabled
  SelectPolicy select = SelectPolicy::kMax;
};

struct HpaConfig {
  int32_t min_replicas = 1;
  int32_t max_replicas = 10;
  // > 0: the metric's average per replica to aim for (pages/s for EPC paging; the autoscaler's
  // CPU mode passes percent of one core, as a default HPA's utilisation target).
  double target_per_replica = 0;
  double tolerance = 0.1;
  ScalingRules scale_up{0,
                        {{ScalingPolicyType::kPods, 4, 15}, {ScalingPolicyType::kPercent, 100, 15}},
                        SelectPolicy::kMax};
  ScalingRules scale_down{300, {{ScalingPolicyType::kPercent, 100, 15}}, SelectPolicy::kMax};
};

// InvalidArgument naming the field for: min < 1, max < min, a non-positive or non-finite target,
// a negative tolerance, windows outside 0..3600 s, policies with value <= 0 or period outside
// 1..1800 s, no policy for a direction that is not disabled.
Status ValidateHpaConfig(const HpaConfig& config);

struct HpaDecision {
  int32_t desired_replicas = 0;   // what to scale to (== current when nothing changes)
  int32_t proposed_replicas = 0;  // from the metric alone (step 2), before stabilisation and limits
  std::string reason;  // "ScalingDisabled", "TooFewReplicas", "TooManyReplicas", "WithinTolerance",
                       // "ScaleUpStabilized", "ScaleDownStabilized", "ScaleUpLimit",
                       // "ScaleDownLimit", "DesiredWithinRange"
};

class HpaController {
 public:
  static Result<HpaController> Create(HpaConfig config);

  // One sync period at monotonic time now_millis (non-decreasing across calls). InvalidArgument
  // for a negative or NaN metric, a negative replica count or time going backwards.
  Result<HpaDecision> Decide(int64_t now_millis, int32_t current_replicas, double metric_per_replica);

  const HpaConfig& config() const { return config_; }

 private:
  struct Recommendation {
    int64_t at_millis;
    int32_t replicas;
  };
  struct ScaleEvent {
    int64_t at_millis;
    int32_t change;  // > 0
  };
  explicit HpaController(HpaConfig config) : config_(std::move(config)) {}
  int32_t ChangeWithin(const std::vector<ScaleEvent>& events, int64_t now_millis, int64_t period_seconds) const;
  int32_t ScaleUpLimit(int64_t now_millis, int32_t current) const;
  int32_t ScaleDownLimit(int64_t now_millis, int32_t current) const;
  void Forget(int64_t now_millis);

  HpaConfig config_;
  std::vector<Recommendation> recommendations_;
  std::vector<ScaleEvent> scale_ups_;
  std::vector<ScaleEvent> scale_downs_;
  int64_t last_now_millis_ = INT64_MIN;
};

// ---- Placement ----

struct HostPressure {
  std::string host;
  double paging_pages_per_second = 0;
  double resident_fraction = 0;  // resident / capacity of the host's EPC
  int32_t servers = 0;           // s3ml servers running there
  bool accepts_servers = true;   // false: full, unreachable or cordoned
};

// The least-pressured host that accepts servers: lowest paging rate, then lowest resident
// fraction, then fewest servers, then host name. NotFound if no host accepts servers.
Result<std::string> PickHostForNewServer(const std::vector<HostPressure>& hosts);
// The most-pressured host running a server: highest paging rate, then highest resident fraction,
// then most servers, then host name. NotFound if no host runs a server.
Result<std::string> PickHostForRemoval(const std::vector<HostPressure>& hosts);

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_HPA_POLICY_H_
