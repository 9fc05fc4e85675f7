#include "cluster/hpa_policy.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <tuple>

namespace s3ml::cluster {
namespace {

Status ValidateRules(const ScalingRules& rules, const std::string& name) {
  if (rules.stabilization_window_seconds < 0 || rules.stabilization_window_seconds > 3600) {
    return InvalidArgument(name + ".stabilization_window_seconds must be 0..3600, got " +
                           std::to_string(rules.stabilization_window_seconds));
  }
  if (rules.select != SelectPolicy::kDisabled && rules.policies.empty()) {
    return InvalidArgument(name + " needs at least one policy unless it is disabled");
  }
  for (size_t i = 0; i < rules.policies.size(); ++i) {
    const ScalingPolicy& p = rules.policies[i];
    const std::string field = name + ".policies[" + std::to_string(i) + "]";
    if (p.value <= 0) return InvalidArgument(field + ".value must be > 0, got " + std::to_string(p.value));
    if (p.period_seconds < 1 || p.period_seconds > 1800) {
      return InvalidArgument(field + ".period_seconds must be 1..1800, got " + std::to_string(p.period_seconds));
    }
  }
  return Status::Ok();
}

int64_t Millis(int64_t seconds) { return seconds * 1000; }

}  // namespace

Status ValidateHpaConfig(const HpaConfig& c) {
  if (c.min_replicas < 1) return InvalidArgument("min_replicas must be >= 1, got " + std::to_string(c.min_replicas));
  if (c.max_replicas < c.min_replicas) {
    return InvalidArgument("max_replicas " + std::to_string(c.max_replicas) + " is below min_replicas " +
                           std::to_string(c.min_replicas));
  }
  if (!std::isfinite(c.target_per_replica) || c.target_per_replica <= 0) {
    return InvalidArgument("target_per_replica must be > 0, got " + std::to_string(c.target_per_replica));
  }
  if (!std::isfinite(c.tolerance) || c.tolerance < 0) {
    return InvalidArgument("tolerance must be >= 0, got " + std::to_string(c.tolerance));
  }
  S3ML_RETURN_IF_ERROR(ValidateRules(c.scale_up, "scale_up"));
  return ValidateRules(c.scale_down, "scale_down");
}

Result<HpaController> HpaController::Create(HpaConfig config) {
  S3ML_RETURN_IF_ERROR(ValidateHpaConfig(config));
  return HpaController(std::move(config));
}

int32_t HpaController::ChangeWithin(const std::vector<ScaleEvent>& events, int64_t now_millis,
                                    int64_t period_seconds) const {
  const int64_t cutoff = now_millis - Millis(period_seconds);
  int32_t change = 0;
  for (const ScaleEvent& e : events) {
    if (e.at_millis > cutoff) change += e.change;
  }
  return change;
}

int32_t HpaController::ScaleUpLimit(int64_t now_millis, int32_t current) const {
  const ScalingRules& rules = config_.scale_up;
  if (rules.select == SelectPolicy::kDisabled) return current;
  const bool pick_max = rules.select == SelectPolicy::kMax;
  int64_t limit = pick_max ? INT64_MIN : INT64_MAX;
  for (const ScalingPolicy& p : rules.policies) {
    const int64_t start = static_cast<int64_t>(current) - ChangeWithin(scale_ups_, now_millis, p.period_seconds) +
                          ChangeWithin(scale_downs_, now_millis, p.period_seconds);
    // Percent rounds up so that a small deployment can always grow by at least one.
    const int64_t proposed = p.type == ScalingPolicyType::kPods
                                 ? start + p.value
                                 : static_cast<int64_t>(std::ceil(static_cast<double>(start) * (1 + p.value / 100.0)));
    limit = pick_max ? std::max(limit, proposed) : std::min(limit, proposed);
  }
  return static_cast<int32_t>(std::clamp<int64_t>(limit, INT32_MIN, INT32_MAX));
}

int32_t HpaController::ScaleDownLimit(int64_t now_millis, int32_t current) const {
  const ScalingRules& rules = config_.scale_down;
  if (rules.select == SelectPolicy::kDisabled) return current;
  // The biggest change downwards is the lowest limit.
  const bool pick_biggest_change = rules.select == SelectPolicy::kMax;
  int64_t limit = pick_biggest_change ? INT64_MAX : INT64_MIN;
  for (const ScalingPolicy& p : rules.policies) {
    const int64_t start = static_cast<int64_t>(current) - ChangeWithin(scale_ups_, now_millis, p.period_seconds) +
                          ChangeWithin(scale_downs_, now_millis, p.period_seconds);
    const int64_t proposed = p.type == ScalingPolicyType::kPods
                                 ? start - p.value
                                 : static_cast<int64_t>(std::floor(static_cast<double>(start) * (1 - p.value / 100.0)));
    limit = pick_biggest_change ? std::min(limit, proposed) : std::max(limit, proposed);
  }
  return static_cast<int32_t>(std::clamp<int64_t>(limit, INT32_MIN, INT32_MAX));
}

void HpaController::Forget(int64_t now_millis) {
  const int64_t keep_recommendations = Millis(std::max(config_.scale_up.stabilization_window_seconds,
                                                       config_.scale_down.stabilization_window_seconds));
  std::erase_if(recommendations_,
                [&](const Recommendation& r) { return r.at_millis <= now_millis - keep_recommendations; });
  int64_t longest_period = 0;
  for (const auto* rules : {&config_.scale_up, &config_.scale_down}) {
    for (const ScalingPolicy& p : rules->policies) longest_period = std::max(longest_period, p.period_seconds);
  }
  auto old = [&](const ScaleEvent& e) { return e.at_millis <= now_millis - Millis(longest_period); };
  std::erase_if(scale_ups_, old);
  std::erase_if(scale_downs_, old);
}

Result<HpaDecision> HpaController::Decide(int64_t now_millis, int32_t current, double metric) {
  if (std::isnan(metric) || metric < 0) {
    return InvalidArgument("paging-rate metric must be a non-negative number, got " + std::to_string(metric));
  }
  if (current < 0) return InvalidArgument("current replicas must be >= 0, got " + std::to_string(current));
  if (now_millis < last_now_millis_) {
    return InvalidArgument("HPA time went backwards: " + std::to_string(now_millis) + " ms after " +
                           std::to_string(last_now_millis_) + " ms");
  }
  last_now_millis_ = now_millis;
  Forget(now_millis);

  HpaDecision d;
  auto record_scale = [&](int32_t desired) {
    if (desired > current) scale_ups_.push_back({now_millis, desired - current});
    if (desired < current) scale_downs_.push_back({now_millis, current - desired});
  };
  if (current == 0) {
    d.desired_replicas = d.proposed_replicas = 0;
    d.reason = "ScalingDisabled";
    return d;
  }
  if (current > config_.max_replicas || current < config_.min_replicas) {
    d.desired_replicas = d.proposed_replicas = std::clamp(current, config_.min_replicas, config_.max_replicas);
    d.reason = current > config_.max_replicas ? "TooManyReplicas" : "TooFewReplicas";
    record_scale(d.desired_replicas);
    return d;
  }

  // Step 2: the metric's proposal.
  const double ratio = metric / config_.target_per_replica;
  bool within_tolerance = std::abs(1.0 - ratio) <= config_.tolerance;
  if (within_tolerance) {
    d.proposed_replicas = current;
  } else {
    const double proposal = std::ceil(static_cast<double>(current) * ratio);
    d.proposed_replicas = static_cast<int32_t>(std::min<double>(proposal, INT32_MAX));
  }

  // Step 3: stabilisation over the recorded proposals.
  if (recommendations_.empty() && config_.scale_down.stabilization_window_seconds > 0) {
    recommendations_.push_back({now_millis, current});
  }
  int32_t up = d.proposed_replicas, down = d.proposed_replicas;
  const int64_t up_cutoff = now_millis - Millis(config_.scale_up.stabilization_window_seconds);
  const int64_t down_cutoff = now_millis - Millis(config_.scale_down.stabilization_window_seconds);
  for (const Recommendation& r : recommendations_) {
    if (r.at_millis > up_cutoff) up = std::min(up, r.replicas);
    if (r.at_millis > down_cutoff) down = std::max(down, r.replicas);
  }
  recommendations_.push_back({now_millis, d.proposed_replicas});
  int32_t stabilized = std::min(std::max(current, up), down);
  d.reason = within_tolerance ? "WithinTolerance" : "DesiredWithinRange";
  if (stabilized != d.proposed_replicas) {
    d.reason = stabilized < d.proposed_replicas ? "ScaleUpStabilized" : "ScaleDownStabilized";
  }

  // Step 4: rate limits and bounds in the direction of the change.
  int32_t desired = stabilized;
  if (stabilized > current) {
    const int32_t limit = std::max(ScaleUpLimit(now_millis, current), current);
    const int32_t allowed = std::min(limit, config_.max_replicas);
    if (desired > allowed) {
      desired = allowed;
      d.reason = limit < config_.max_replicas ? "ScaleUpLimit" : "TooManyReplicas";
    }
  } else if (stabilized < current) {
    const int32_t limit = std::min(ScaleDownLimit(now_millis, current), current);
    const int32_t allowed = std::max(limit, config_.min_replicas);
    if (desired < allowed) {
      desired = allowed;
      d.reason = limit > config_.min_replicas ? "ScaleDownLimit" : "TooFewReplicas";
    }
  }
  d.desired_replicas = desired;
  record_scale(desired);
  return d;
}

Result<std::string> PickHostForNewServer(const std::vector<HostPressure>& hosts) {
  const HostPressure* best = nullptr;
  for (const HostPressure& h : hosts) {
    if (!h.accepts_servers) continue;
    auto key = [](const HostPressure& x) {
      return std::tie(x.paging_pages_per_second, x.resident_fraction, x.servers, x.host);
    };
    if (best == nullptr || key(h) < key(*best)) best = &h;
  }
  if (best == nullptr) return NotFound("no host accepts a new server");
  return best->host;
}

Result<std::string> PickHostForRemoval(const std::vector<HostPressure>& hosts) {
  const HostPressure* worst = nullptr;
  for (const HostPressure& h : hosts) {
    if (h.servers <= 0) continue;
    auto key = [](const HostPressure& x) {
      // Host name ascending breaks the last tie, like PickHostForNewServer.
      return std::make_tuple(x.paging_pages_per_second, x.resident_fraction, x.servers);
    };
    if (worst == nullptr || key(h) > key(*worst) || (key(h) == key(*worst) && h.host < worst->host)) worst = &h;
  }
  if (worst == nullptr) return NotFound("no host runs a server");
  return worst->host;
}

}  // namespace s3ml::cluster
