#include "cluster/weight_policy.h"

#include <algorithm>
#include <cmath>

namespace s3ml::cluster {

Status ValidateWeightThresholds(const WeightThresholds& t) {
  if (!std::isfinite(t.low_pages_per_second) || !std::isfinite(t.critical_pages_per_second) ||
      t.low_pages_per_second < 0 || t.critical_pages_per_second <= t.low_pages_per_second) {
    return InvalidArgument("weight thresholds need 0 <= low < critical, got low " +
                           std::to_string(t.low_pages_per_second) + " and critical " +
                           std::to_string(t.critical_pages_per_second) + " pages/s");
  }
  if (t.min_weight_percent < 1 || t.min_weight_percent > 100) {
    return InvalidArgument("min weight must be 1..100 percent, got " + std::to_string(t.min_weight_percent));
  }
  if (!(t.hysteresis >= 0 && t.hysteresis < 1)) {
    return InvalidArgument("weight hysteresis must be in [0, 1), got " + std::to_string(t.hysteresis));
  }
  return Status::Ok();
}

std::string AgentAnswer::ToAgentText() const {
  return drain ? std::string("drain\n") : "up " + std::to_string(weight_percent) + "%\n";
}

Result<AgentAnswer> WeightForPagingRate(double rate, const WeightThresholds& t) {
  if (std::isnan(rate) || rate < 0) {
    return InvalidArgument("paging rate must be a non-negative number, got " + std::to_string(rate));
  }
  AgentAnswer answer;
  if (rate >= t.critical_pages_per_second) {
    answer.drain = true;
    answer.weight_percent = 0;
    return answer;
  }
  if (rate <= t.low_pages_per_second) return answer;
  const double fraction =
      (rate - t.low_pages_per_second) / (t.critical_pages_per_second - t.low_pages_per_second);
  const double weight = 100.0 - (100.0 - t.min_weight_percent) * fraction;
  answer.weight_percent = std::clamp(static_cast<int>(std::lround(weight)), t.min_weight_percent, 100);
  return answer;
}

Result<WeightController> WeightController::Create(const WeightThresholds& thresholds) {
  S3ML_RETURN_IF_ERROR(ValidateWeightThresholds(thresholds));
  return WeightController(thresholds);
}

Result<AgentAnswer> WeightController::Answer(double rate) {
  S3ML_ASSIGN_OR_RETURN(AgentAnswer answer, WeightForPagingRate(rate, thresholds_));
  if (answer.drain) {
    draining_ = true;
    return answer;
  }
  // Leave drain only once the rate is clearly below critical.
  if (draining_ && rate >= thresholds_.critical_pages_per_second * (1 - thresholds_.hysteresis)) {
    return AgentAnswer{true, 0};
  }
  draining_ = false;
  return answer;
}

}  // namespace s3ml::cluster
