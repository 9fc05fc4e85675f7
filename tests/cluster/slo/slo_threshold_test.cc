// FitSloThreshold (cluster/slo_threshold.h): tables of (paging rate, p99) points with the threshold
// or outcome each must give, including the edge cases (empty, NaN, ties, +inf, exact SLO).
#include "cluster/slo_threshold.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace s3ml::cluster {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

SloThreshold Fit(std::vector<SloPoint> points, double slo_ms) {
  auto fit = FitSloThreshold(std::move(points), slo_ms);
  EXPECT_TRUE(fit.ok()) << fit.status().ToString();
  return fit.ok() ? *fit : SloThreshold{};
}

struct CrossCase {
  const char* name;
  std::vector<SloPoint> points;
  double slo_ms;
  double threshold;
};

TEST(SloThresholdTest, InterpolatesBetweenTheBracketingPoints) {
  const std::vector<CrossCase> cases = {
      {"midway", {{0, 10}, {1000, 20}, {2000, 60}}, 40, 1500},
      {"unsorted input", {{2000, 60}, {0, 10}, {1000, 20}}, 40, 1500},
      {"just above the first", {{0, 10}, {100, 110}}, 20, 10},
      // A fast point after a slow one does not lower the envelope: 1000 -> 60 keeps it above.
      {"non-monotone dip", {{0, 10}, {1000, 60}, {2000, 30}, {3000, 90}}, 40, 600},
      // Two points at the crossing's rate: the lower bracket is the last point at a lower rate.
      {"tie at the crossing rate", {{0, 10}, {100, 20}, {100, 60}}, 50, 80},
      // An upper point with +inf p99 (all requests failed): no slope, keep the last good rate.
      {"infinite p99", {{0, 5}, {500, 8}, {900, kInf}}, 50, 500},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const SloThreshold fit = Fit(c.points, c.slo_ms);
    EXPECT_EQ(fit.crossing, SloCrossing::kCrossed);
    EXPECT_NEAR(fit.pages_per_second, c.threshold, 1e-9);
    EXPECT_LE(fit.lower.p99_ms, c.slo_ms);
    EXPECT_GT(fit.upper.p99_ms, c.slo_ms);
    EXPECT_LT(fit.lower.pages_per_second, fit.upper.pages_per_second);
  }
}

TEST(SloThresholdTest, BracketsAreEnvelopeValues) {
  const SloThreshold fit = Fit({{0, 10}, {1000, 60}, {2000, 30}, {3000, 90}}, 40);
  EXPECT_DOUBLE_EQ(fit.lower.pages_per_second, 0);
  EXPECT_DOUBLE_EQ(fit.upper.pages_per_second, 1000);
  EXPECT_DOUBLE_EQ(fit.upper.p99_ms, 60);
  EXPECT_EQ(fit.points_used, 4u);
}

TEST(SloThresholdTest, AP99EqualToTheSloMeetsIt) {
  const SloThreshold exact = Fit({{0, 10}, {1000, 40}, {2000, 80}}, 40);
  EXPECT_EQ(exact.crossing, SloCrossing::kCrossed);
  EXPECT_NEAR(exact.pages_per_second, 1000, 1e-9);
  EXPECT_EQ(Fit({{0, 40}, {10, 40}}, 40).crossing, SloCrossing::kNotCrossed);
}

TEST(SloThresholdTest, NotCrossedReportsTheHighestRateMeasured) {
  const SloThreshold fit = Fit({{300, 12}, {0, 10}, {4500, 49.9}}, 50);
  EXPECT_EQ(fit.crossing, SloCrossing::kNotCrossed);
  EXPECT_DOUBLE_EQ(fit.pages_per_second, 4500);
}

TEST(SloThresholdTest, AlwaysAboveReportsTheLowestRateMeasured) {
  EXPECT_EQ(Fit({{100, 80}, {900, 120}}, 50).crossing, SloCrossing::kAlwaysAbove);
  EXPECT_DOUBLE_EQ(Fit({{900, 120}, {100, 80}}, 50).pages_per_second, 100);
  // Two runs at the lowest rate, one slow: no rate is known to meet the SLO.
  const SloThreshold tied = Fit({{0, 10}, {0, 70}, {500, 20}}, 50);
  EXPECT_EQ(tied.crossing, SloCrossing::kAlwaysAbove);
  EXPECT_DOUBLE_EQ(tied.pages_per_second, 0);
  EXPECT_EQ(Fit({{0, kInf}}, 50).crossing, SloCrossing::kAlwaysAbove);
}

TEST(SloThresholdTest, SkipsUnusablePointsAndCountsThem) {
  const SloThreshold fit =
      Fit({{kNaN, 10}, {100, kNaN}, {-5, 10}, {kInf, 10}, {0, -1}, {0, 10}, {1000, 30}, {2000, 50}}, 40);
  EXPECT_EQ(fit.points_ignored, 5u);
  EXPECT_EQ(fit.points_used, 3u);
  EXPECT_EQ(fit.crossing, SloCrossing::kCrossed);
  EXPECT_NEAR(fit.pages_per_second, 1500, 1e-9);
}

TEST(SloThresholdTest, NoDataWhenEmptyOrAllUnusable) {
  EXPECT_EQ(Fit({}, 50).crossing, SloCrossing::kNoData);
  const SloThreshold nan_only = Fit({{kNaN, kNaN}, {1, kNaN}}, 50);
  EXPECT_EQ(nan_only.crossing, SloCrossing::kNoData);
  EXPECT_EQ(nan_only.points_ignored, 2u);
  EXPECT_EQ(nan_only.points_used, 0u);
}

TEST(SloThresholdTest, RejectsABadSlo) {
  for (double slo : {0.0, -1.0, kNaN, kInf}) {
    auto fit = FitSloThreshold({{0, 1}}, slo);
    ASSERT_FALSE(fit.ok()) << slo;
    EXPECT_EQ(fit.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(SloThresholdTest, CrossingNames) {
  EXPECT_STREQ(SloCrossingName(SloCrossing::kCrossed), "crossed");
  EXPECT_STREQ(SloCrossingName(SloCrossing::kNotCrossed), "not crossed");
  EXPECT_STREQ(SloCrossingName(SloCrossing::kAlwaysAbove), "always above");
  EXPECT_STREQ(SloCrossingName(SloCrossing::kNoData), "no data");
}

}  // namespace
}  // namespace s3ml::cluster
