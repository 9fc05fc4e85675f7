#include "cluster/autoscaler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace s3ml::cluster {
namespace {

HpaConfig Config(double target) {
  HpaConfig c;
  c.min_replicas = 1;
  c.max_replicas = 6;
  c.target_per_replica = target;
  c.scale_down.stabilization_window_seconds = 0;  // decide at once in these tests
  return c;
}

// One server on each of hosts a, b, c; a noisy neighbour pages host a.
const std::vector<HostObservation> kNoisyA = {{"a", 9000, 0.99}, {"b", 0, 0.30}, {"c", 0, 0.20}};
const std::vector<ServerObservation> kOnePerHost = {{"server-1", "a", 90}, {"server-2", "b", 20}, {"server-3", "c", 10}};

TEST(AutoscalerTest, EpcModeScalesOutAwayFromThePagingHost) {
  auto autoscaler = Autoscaler::Create(ScalingMetric::kEpcPaging, Config(1000));
  ASSERT_TRUE(autoscaler.ok());
  auto plan = autoscaler->Plan(0, kNoisyA, kOnePerHost);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_DOUBLE_EQ(plan->metric_per_replica, 3000);  // (9000 + 0 + 0) / 3
  EXPECT_EQ(plan->decision.desired_replicas, 6);     // ceil(3 x 3) = 9, max 6
  // b and c page equally: then the lower resident fraction (c), then fewer servers.
  EXPECT_EQ(plan->add_on_hosts, (std::vector<std::string>{"c", "b", "c"}));
  EXPECT_TRUE(plan->remove.empty());
}

TEST(AutoscalerTest, CpuModeSpreadsByServerCountBlindToTheEpc) {
  auto autoscaler = Autoscaler::Create(ScalingMetric::kCpu, Config(30));
  ASSERT_TRUE(autoscaler.ok());
  auto plan = autoscaler->Plan(0, kNoisyA, kOnePerHost);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_DOUBLE_EQ(plan->metric_per_replica, 40);  // (90 + 20 + 10) / 3 % of a core
  EXPECT_EQ(plan->decision.desired_replicas, 4);   // ceil(3 x 40 / 30)
  EXPECT_EQ(plan->add_on_hosts, (std::vector<std::string>{"a"}));  // fewest servers, then the name
}

TEST(AutoscalerTest, ScaleDownRemovesTheNewestServerOfTheMostPressuredHost) {
  auto autoscaler = Autoscaler::Create(ScalingMetric::kEpcPaging, Config(1000));
  ASSERT_TRUE(autoscaler.ok());
  const std::vector<HostObservation> hosts = {{"a", 200, 0.5}, {"b", 0, 0.3}};
  const std::vector<ServerObservation> servers = {
      {"server-1", "a", 0}, {"server-9", "a", 0}, {"server-10", "a", 0}, {"server-2", "b", 0}};
  // Mean (3 x 200 + 0) / 4 = 150: ceil(4 x 0.15) = 1 server.
  auto plan = autoscaler->Plan(0, hosts, servers);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->decision.desired_replicas, 1);
  EXPECT_EQ(plan->remove, (std::vector<std::string>{"server-10", "server-9", "server-1"}));
}

TEST(AutoscalerTest, WithinToleranceNothingChanges) {
  auto autoscaler = Autoscaler::Create(ScalingMetric::kEpcPaging, Config(1000));
  ASSERT_TRUE(autoscaler.ok());
  auto plan = autoscaler->Plan(0, {{"a", 1050, 0.5}}, {{"server-1", "a", 0}});
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->decision.desired_replicas, 1);
  EXPECT_EQ(plan->decision.reason, "WithinTolerance");
  EXPECT_TRUE(plan->add_on_hosts.empty());
  EXPECT_TRUE(plan->remove.empty());
}

TEST(AutoscalerTest, IncompleteOrInvalidObservationsAreRefused) {
  auto autoscaler = Autoscaler::Create(ScalingMetric::kEpcPaging, Config(1000));
  ASSERT_TRUE(autoscaler.ok());
  auto missing = autoscaler->Plan(0, {{"a", 0, 0}}, {{"server-1", "b", 0}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kFailedPrecondition);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(autoscaler->Plan(0, {{"a", nan, 0}}, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(autoscaler->Plan(0, {{"a", -1, 0}}, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(autoscaler->Plan(0, {{"a", 0, 0}}, {{"server-1", "a", nan}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(Autoscaler::Create(ScalingMetric::kCpu, Config(0)).ok());  // invalid HPA configuration
}

TEST(AutoscalerTest, MetricNamesAndServerOrder) {
  EXPECT_EQ(*ParseScalingMetric("epc"), ScalingMetric::kEpcPaging);
  EXPECT_EQ(*ParseScalingMetric("cpu"), ScalingMetric::kCpu);
  EXPECT_FALSE(ParseScalingMetric("memory").ok());
  EXPECT_EQ(ScalingMetricName(ScalingMetric::kCpu), "cpu");
  EXPECT_TRUE(ServerNameLess("server-2", "server-10"));
  EXPECT_FALSE(ServerNameLess("server-10", "server-2"));
  EXPECT_TRUE(ServerNameLess("server-10", "other"));  // numbered servers first
  EXPECT_TRUE(ServerNameLess("a", "b"));
  EXPECT_FALSE(ServerNameLess("server-", "server-1"));  // "server-" has no number: after numbered ones
}

}  // namespace
}  // namespace s3ml::cluster
