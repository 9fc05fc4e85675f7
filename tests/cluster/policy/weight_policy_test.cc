#include "cluster/weight_policy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace s3ml::cluster {
namespace {

WeightThresholds Thresholds(double hysteresis = 0) {
  WeightThresholds t;
  t.low_pages_per_second = 100;
  t.critical_pages_per_second = 1100;
  t.min_weight_percent = 10;
  t.hysteresis = hysteresis;
  return t;
}

TEST(WeightPolicyTest, CurveTable) {
  // weight = 100 - 90 * (rate - 100) / 1000 between the thresholds, rounded half away from zero.
  struct Row {
    double rate;
    const char* answer;
  };
  const Row table[] = {
      {0, "up 100%\n"},      {50, "up 100%\n"},    {100, "up 100%\n"},  // at or below low: full weight
      {101, "up 100%\n"},                                               // 99.91 rounds to 100
      {350, "up 78%\n"},                                                // 77.5 rounds up
      {600, "up 55%\n"},     {850, "up 33%\n"},                         // 32.5 -> 33
      {1000, "up 19%\n"},    {1099, "up 10%\n"},                        // 10.09 -> floor 10
      {1100, "drain\n"},     {5000, "drain\n"},    {std::numeric_limits<double>::infinity(), "drain\n"},
  };
  for (const Row& row : table) {
    auto answer = WeightForPagingRate(row.rate, Thresholds());
    ASSERT_TRUE(answer.ok()) << row.rate;
    EXPECT_EQ(answer->ToAgentText(), row.answer) << "rate " << row.rate;
  }
}

TEST(WeightPolicyTest, FloorHoldsJustBelowCritical) {
  WeightThresholds t = Thresholds();
  t.min_weight_percent = 40;
  auto answer = WeightForPagingRate(1099.9, t);
  ASSERT_TRUE(answer.ok());
  EXPECT_FALSE(answer->drain);
  EXPECT_EQ(answer->weight_percent, 40);
  // Weight never rises with the rate.
  int previous = 100;
  for (double rate = 0; rate < 1100; rate += 7) {
    const int w = WeightForPagingRate(rate, t)->weight_percent;
    EXPECT_LE(w, previous) << rate;
    EXPECT_GE(w, 40);
    previous = w;
  }
}

TEST(WeightPolicyTest, BadRatesAreRefused) {
  EXPECT_EQ(WeightForPagingRate(-1, Thresholds()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WeightForPagingRate(std::nan(""), Thresholds()).status().code(), StatusCode::kInvalidArgument);
}

TEST(WeightPolicyTest, BadThresholdsAreRefused) {
  auto with = [](auto change) {
    WeightThresholds t = Thresholds();
    change(t);
    return ValidateWeightThresholds(t);
  };
  EXPECT_TRUE(with([](WeightThresholds&) {}).ok());
  EXPECT_FALSE(with([](WeightThresholds& t) { t.low_pages_per_second = -1; }).ok());
  EXPECT_FALSE(with([](WeightThresholds& t) { t.critical_pages_per_second = 100; }).ok());  // == low
  EXPECT_FALSE(with([](WeightThresholds& t) { t.critical_pages_per_second = 50; }).ok());
  EXPECT_FALSE(with([](WeightThresholds& t) { t.critical_pages_per_second = std::nan(""); }).ok());
  EXPECT_FALSE(with([](WeightThresholds& t) { t.min_weight_percent = 0; }).ok());
  EXPECT_FALSE(with([](WeightThresholds& t) { t.min_weight_percent = 101; }).ok());
  EXPECT_FALSE(with([](WeightThresholds& t) { t.hysteresis = 1; }).ok());
  EXPECT_FALSE(with([](WeightThresholds& t) { t.hysteresis = -0.1; }).ok());
  const Status s = with([](WeightThresholds& t) { t.critical_pages_per_second = 50; });
  EXPECT_NE(s.message().find("low < critical"), std::string::npos) << s.message();
  EXPECT_EQ(WeightController::Create(Thresholds(2)).status().code(), StatusCode::kInvalidArgument);
}

TEST(WeightPolicyTest, HysteresisKeepsDrainUntilClearlyBelowCritical) {
  // Leaves drain below 1100 x 0.8 = 880.
  auto controller = WeightController::Create(Thresholds(0.2));
  ASSERT_TRUE(controller.ok());
  struct Row {
    double rate;
    const char* answer;
  };
  const Row trace[] = {{500, "up 64%\n"}, {1200, "drain\n"}, {1000, "drain\n"}, {880, "drain\n"},
                       {879, "up 30%\n"}, {1000, "up 19%\n"}, {1100, "drain\n"}, {0, "up 100%\n"}};
  for (const Row& row : trace) {
    auto answer = controller->Answer(row.rate);
    ASSERT_TRUE(answer.ok());
    EXPECT_EQ(answer->ToAgentText(), row.answer) << "rate " << row.rate;
  }
}

TEST(WeightPolicyTest, WithoutHysteresisTheControllerIsTheCurve) {
  auto controller = WeightController::Create(Thresholds());
  ASSERT_TRUE(controller.ok());
  EXPECT_TRUE(controller->Answer(1100)->drain);
  EXPECT_EQ(controller->Answer(1000)->ToAgentText(), "up 19%\n");
  EXPECT_FALSE(controller->draining());
}

}  // namespace
}  // namespace s3ml::cluster
