// Recorded traces of the HPA algorithm. Each row is one sync period: the time, the replicas running,
// the metric (mean paging rate per replica, pages/s), and the decision expected. The expected
// values were worked out by hand from the Kubernetes documentation of the algorithm
// (kubernetes.io, "Horizontal Pod Autoscaling": desiredReplicas = ceil[currentReplicas x
// (currentMetricValue / desiredMetricValue)], 0.1 tolerance, "the highest recommendation" within
// the 300 s scale-down stabilisation window, default scale-up "4 pods or 100% per 15 s whichever is
// higher", scale-down "100% per 15 s"); the arithmetic is in the comments.
#include "cluster/hpa_policy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace s3ml::cluster {
namespace {

struct Step {
  int64_t t_seconds;
  int32_t current;
  double metric;
  int32_t desired;
  std::string reason;
};

HpaConfig Config(double target, int32_t min_replicas = 1, int32_t max_replicas = 10) {
  HpaConfig c;
  c.target_per_replica = target;
  c.min_replicas = min_replicas;
  c.max_replicas = max_replicas;
  return c;
}

void RunTrace(const HpaConfig& config, const std::vector<Step>& trace) {
  auto hpa = HpaController::Create(config);
  ASSERT_TRUE(hpa.ok()) << hpa.status().ToString();
  for (const Step& s : trace) {
    auto d = hpa->Decide(s.t_seconds * 1000, s.current, s.metric);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->desired_replicas, s.desired) << "t=" << s.t_seconds << " current=" << s.current;
    EXPECT_EQ(d->reason, s.reason) << "t=" << s.t_seconds << " current=" << s.current;
  }
}

TEST(HpaPolicyTest, DocumentationExampleFiftyToSixty) {
  // kubernetes.io: 50 replicas at 90 against a target of 75 -> 50 x 90/75 = 60. Scale-up limit:
  // max(50 + 4, ceil(50 x 2)) = 100, so 60 passes.
  RunTrace(Config(75, 1, 100), {{0, 50, 90, 60, "DesiredWithinRange"}});
  // "if the current metric value is 200m, and the desired value is 100m, the number of replicas will
  // be doubled"; "if the current value is instead 50m, you'll halve the number of replicas"
  // (halving waits for the scale-down window: see ScaleDownWaitsForTheStabilisationWindow).
  RunTrace(Config(100, 1, 100), {{0, 8, 200, 16, "DesiredWithinRange"}});
}

TEST(HpaPolicyTest, ScaleUpIsRateLimitedByPodsOrPercent) {
  RunTrace(Config(100), {
      // 1 x 1000/100 = 10; limit max(1+4, ceil(1 x 2)) = 5.
      {0, 1, 1000, 5, "ScaleUpLimit"},
      // 5 x 10 = 50; the +4 at t=0 is not within (15-15, 15]: start 5, limit max(9, 10) = 10 = max.
      {15, 5, 1000, 10, "TooManyReplicas"},
      // 10 x 100/100: ratio 1, within tolerance.
      {30, 10, 100, 10, "WithinTolerance"},
  });
}

TEST(HpaPolicyTest, ScaleUpLimitCountsEarlierStepsOfThePeriod) {
  HpaConfig c = Config(100, 1, 50);
  c.scale_up.policies = {{ScalingPolicyType::kPods, 4, 60}};
  RunTrace(c, {
      {0, 2, 1000, 6, "ScaleUpLimit"},    // 2 x 10 = 20; start 2, limit 2 + 4 = 6
      {15, 6, 1000, 6, "ScaleUpLimit"},   // 60; start 6 - 4 = 2, limit 6: no change
      {45, 6, 1000, 6, "ScaleUpLimit"},   // the +4 at 0 is still within (45-60, 45]
      {60, 6, 1000, 10, "ScaleUpLimit"},  // (0, 60] excludes t=0: start 6, limit 10
  });
}

TEST(HpaPolicyTest, ToleranceBand) {
  RunTrace(Config(100), {
      {0, 5, 109, 5, "WithinTolerance"},     // |1 - 1.09| <= 0.1
      {15, 5, 111, 6, "DesiredWithinRange"}, // ceil(5 x 1.11) = ceil(5.55) = 6
      {30, 6, 91, 6, "WithinTolerance"},     // |1 - 0.91| <= 0.1
  });
}

TEST(HpaPolicyTest, ScaleDownWaitsForTheStabilisationWindow) {
  RunTrace(Config(100), {
      // Fresh controller: the window is seeded with the current 4 at t=0.
      {0, 4, 100, 4, "WithinTolerance"},
      // 4 x 0.2 = 0.8 -> 1, but the highest recommendation within (15-300, 15] is 4.
      {15, 4, 20, 4, "ScaleDownStabilized"},
      {285, 4, 20, 4, "ScaleDownStabilized"},  // t=0's 4s are still within (-15, 285]
      // (0, 300] holds only 1s now; limit floor(4 x 0) = 0, min 1 -> 1.
      {300, 4, 20, 1, "DesiredWithinRange"},
  });
}

TEST(HpaPolicyTest, ScaleDownStabilisationUsesTheHighestRecentRecommendation) {
  RunTrace(Config(100), {
      {0, 6, 100, 6, "WithinTolerance"},
      {100, 6, 50, 6, "ScaleDownStabilized"},   // proposal 3; max over window 6
      {200, 6, 200, 10, "TooManyReplicas"},     // proposal 12; up limit 12 > max 10
      {400, 10, 30, 10, "ScaleDownStabilized"}, // proposal 3; window (100, 400] holds 12 at t=200
      {501, 10, 30, 3, "DesiredWithinRange"},   // window (201, 501]: 3 and 3
  });
}

TEST(HpaPolicyTest, ScaleUpStabilisationUsesTheLowestRecentRecommendation) {
  HpaConfig c = Config(100);
  c.scale_up.stabilization_window_seconds = 60;
  RunTrace(c, {
      {0, 2, 300, 2, "ScaleUpStabilized"},   // proposal 6, seed 2 within (-60, 0]: min 2
      {30, 2, 300, 2, "ScaleUpStabilized"},  // the seed at t=0 is still within (-30, 30]
      {60, 2, 300, 6, "DesiredWithinRange"}, // (0, 60] holds 6 only; limit max(6, 4) = 6
  });
}

TEST(HpaPolicyTest, ScaleDownRateLimitWithPodsPolicy) {
  HpaConfig c = Config(100);
  c.scale_down.stabilization_window_seconds = 0;
  c.scale_down.policies = {{ScalingPolicyType::kPods, 1, 60}};
  RunTrace(c, {
      {0, 6, 10, 5, "ScaleDownLimit"},        // proposal ceil(0.6) = 1; start 6, limit 5
      {30, 5, 12, 5, "ScaleDownLimit"},       // start 5 + 1 = 6 (the -1 at t=0): limit 5
      {60, 5, 12, 4, "ScaleDownLimit"},       // the -1 at t=0 left (0, 60]
      {120, 4, 80, 4, "DesiredWithinRange"},  // ceil(4 x 0.8) = ceil(3.2) = 4
  });
}

TEST(HpaPolicyTest, ScaleDownPercentPolicyRoundsDown) {
  HpaConfig c = Config(100);
  c.scale_down.stabilization_window_seconds = 0;
  c.scale_down.policies = {{ScalingPolicyType::kPercent, 50, 15}};
  RunTrace(c, {
      {0, 7, 0, 3, "ScaleDownLimit"},  // proposal 0; floor(7 x 0.5) = 3
      {15, 3, 0, 1, "TooFewReplicas"}, // floor(1.5) = 1 = min
  });
}

TEST(HpaPolicyTest, SelectPolicies) {
  HpaConfig c = Config(100, 1, 100);
  c.scale_up.select = SelectPolicy::kMin;  // min(2 + 4, ceil(2 x 2)) = 4
  RunTrace(c, {{0, 2, 1000, 4, "ScaleUpLimit"}});
  c.scale_up.select = SelectPolicy::kMax;  // max(6, 4) = 6
  RunTrace(c, {{0, 2, 1000, 6, "ScaleUpLimit"}});
  c.scale_up.select = SelectPolicy::kDisabled;
  RunTrace(c, {{0, 2, 1000, 2, "ScaleUpLimit"}});
  HpaConfig d = Config(100);
  d.scale_down = {0, {}, SelectPolicy::kDisabled};
  RunTrace(d, {{0, 5, 0, 5, "ScaleDownLimit"}});
}

TEST(HpaPolicyTest, BoundsAndDisabledScaling) {
  RunTrace(Config(100, 2, 10), {
      {0, 12, 50, 10, "TooManyReplicas"},  // above max: max, metric ignored
      {15, 1, 500, 2, "TooFewReplicas"},   // below min: min
      {30, 0, 500, 0, "ScalingDisabled"},  // scaled to zero by hand
      {45, 3, 0, 3, "ScaleDownStabilized"},
  });
  HpaConfig c = Config(100, 2, 10);
  c.scale_down.stabilization_window_seconds = 0;
  RunTrace(c, {{0, 3, 0, 2, "TooFewReplicas"}});  // proposal 0; limit 0 < min 2
}

TEST(HpaPolicyTest, HugeMetricIsBoundedByMax) {
  RunTrace(Config(100, 1, 10), {{0, 1, std::numeric_limits<double>::infinity(), 5, "ScaleUpLimit"},
                                {15, 5, 1e300, 10, "TooManyReplicas"}});
}

TEST(HpaPolicyTest, BadInputsAreRefused) {
  auto hpa = HpaController::Create(Config(100));
  ASSERT_TRUE(hpa.ok());
  EXPECT_EQ(hpa->Decide(0, 1, -5).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(hpa->Decide(0, 1, std::nan("")).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(hpa->Decide(0, -1, 1).status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(hpa->Decide(1000, 1, 100).ok());
  auto backwards = hpa->Decide(999, 1, 100);
  EXPECT_EQ(backwards.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(backwards.status().message().find("backwards"), std::string::npos);
}

TEST(HpaPolicyTest, BadConfigsAreRefusedNamingTheField) {
  auto error = [](auto change) {
    HpaConfig c = Config(100);
    change(c);
    return HpaController::Create(c).status();
  };
  EXPECT_TRUE(error([](HpaConfig&) {}).ok());
  struct Case {
    void (*change)(HpaConfig&);
    const char* field;
  };
  const Case cases[] = {
      {[](HpaConfig& c) { c.min_replicas = 0; }, "min_replicas"},
      {[](HpaConfig& c) { c.max_replicas = 0; }, "max_replicas"},
      {[](HpaConfig& c) { c.target_per_replica = 0; }, "target_per_replica"},
      {[](HpaConfig& c) { c.target_per_replica = std::nan(""); }, "target_per_replica"},
      {[](HpaConfig& c) { c.tolerance = -0.1; }, "tolerance"},
      {[](HpaConfig& c) { c.scale_down.stabilization_window_seconds = 3601; }, "scale_down.stabilization"},
      {[](HpaConfig& c) { c.scale_up.policies.clear(); }, "scale_up needs at least one policy"},
      {[](HpaConfig& c) { c.scale_up.policies[1].value = 0; }, "scale_up.policies[1].value"},
      {[](HpaConfig& c) { c.scale_down.policies[0].period_seconds = 0; }, "scale_down.policies[0].period"},
      {[](HpaConfig& c) { c.scale_down.policies[0].period_seconds = 1801; }, "scale_down.policies[0].period"},
  };
  for (const Case& k : cases) {
    const Status s = error(k.change);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << k.field;
    EXPECT_NE(s.message().find(k.field), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace s3ml::cluster
