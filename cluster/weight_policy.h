// Weight policy: what a server's HAProxy agent port answers, from its host's EPC paging rate.
//
// The curve (rate r in pages/s, thresholds low < critical, floor F in percent):
//
//   weight %
//     100 |--------.
//         |         `.            linear from 100% at r = low down to F% at r = critical,
//         |           `.          rounded to the nearest percent (never below F)
//       F |             `-|
//         |               | drain (r >= critical)
//         +--------+------+----> r
//                 low  critical
//
// Full weight while paging is at or below `low` (the host's EPC is not under pressure: the paper's
// offline analysis finds p99 latency flat there); a linearly shrinking share of new connections
// between `low` and `critical`, floored at F so a host under moderate pressure still serves and its
// rate stays observable; "drain" at or past `critical` (the rate at which p99 crosses the SLO):
// HAProxy sends no new connections, established ones finish.
//
// Hysteresis (optional, WeightController): a drained server stays drained until the rate falls
// below critical x (1 - hysteresis), so a rate hovering around `critical` does not flap the
// server in and out of rotation at every agent check.
//
// Answers are HAProxy agent-check strings: "up 75%\n", "drain\n" (docs/protocol.md, port 9999).
#ifndef S3ML_CLUSTER_WEIGHT_POLICY_H_
#define S3ML_CLUSTER_WEIGHT_POLICY_H_

#include <string>

#include "core/status.h"

namespace s3ml::cluster {

struct WeightThresholds {
  double low_pages_per_second = 0;       // full weight at or below
  double critical_pages_per_second = 0;  // drain at or above
  int min_weight_percent = 10;           // floor F of the linear part, 1..100
  double hysteresis = 0;                 // 0 (none) .. <1, fraction of critical
};

// InvalidArgument unless 0 <= low < critical (both finite), 1 <= min_weight_percent <= 100 and
// 0 <= hysteresis < 1.
Status ValidateWeightThresholds(const WeightThresholds& thresholds);

struct AgentAnswer {
  bool drain = false;
  int weight_percent = 100;  // meaningful when !drain
  // "up NN%\n" or "drain\n".
  std::string ToAgentText() const;
  bool operator==(const AgentAnswer&) const = default;
};

// The curve above. REQUIRES: thresholds valid (ValidateWeightThresholds). InvalidArgument for a
// negative or NaN rate; +infinity drains.
Result<AgentAnswer> WeightForPagingRate(double pages_per_second, const WeightThresholds& thresholds);

// The curve plus hysteresis around `critical`. Not thread-safe (one per agent).
class WeightController {
 public:
  static Result<WeightController> Create(const WeightThresholds& thresholds);
  Result<AgentAnswer> Answer(double pages_per_second);
  bool draining() const { return draining_; }

 private:
  explicit WeightController(const WeightThresholds& thresholds) : thresholds_(thresholds) {}
  WeightThresholds thresholds_;
  bool draining_ = false;
};

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_WEIGHT_POLICY_H_
