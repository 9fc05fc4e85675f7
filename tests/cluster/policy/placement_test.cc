#include <gtest/gtest.h>

#include "cluster/hpa_policy.h"

namespace s3ml::cluster {
namespace {

TEST(PlacementTest, NewServerGoesToTheLeastPressuredHost) {
  const std::vector<HostPressure> hosts = {
      {"host-a", 900, 0.9, 2, true},
      {"host-b", 10, 0.5, 1, true},
      {"host-c", 400, 0.7, 1, true},
  };
  EXPECT_EQ(PickHostForNewServer(hosts).value(), "host-b");
  EXPECT_EQ(PickHostForRemoval(hosts).value(), "host-a");
}

TEST(PlacementTest, TiesBreakOnResidentFractionThenServersThenName) {
  EXPECT_EQ(PickHostForNewServer({{"a", 0, 0.8, 0, true}, {"b", 0, 0.2, 3, true}}).value(), "b");
  EXPECT_EQ(PickHostForNewServer({{"a", 0, 0.2, 2, true}, {"b", 0, 0.2, 1, true}}).value(), "b");
  EXPECT_EQ(PickHostForNewServer({{"b", 0, 0.2, 1, true}, {"a", 0, 0.2, 1, true}}).value(), "a");
  EXPECT_EQ(PickHostForRemoval({{"a", 50, 0.2, 1, true}, {"b", 50, 0.9, 1, true}}).value(), "b");
  EXPECT_EQ(PickHostForRemoval({{"a", 50, 0.9, 1, true}, {"b", 50, 0.9, 2, true}}).value(), "b");
  EXPECT_EQ(PickHostForRemoval({{"b", 50, 0.9, 2, true}, {"a", 50, 0.9, 2, true}}).value(), "a");
}

TEST(PlacementTest, HostsThatRefuseOrRunNothingAreSkipped) {
  const std::vector<HostPressure> hosts = {
      {"calm-but-full", 0, 0.1, 0, false},
      {"busy", 800, 0.9, 0, true},
  };
  EXPECT_EQ(PickHostForNewServer(hosts).value(), "busy");
  // Neither runs a server: nothing to remove even though "busy" is the most pressured.
  EXPECT_EQ(PickHostForRemoval(hosts).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(PickHostForNewServer({{"x", 0, 0, 0, false}}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(PickHostForNewServer({}).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace s3ml::cluster
