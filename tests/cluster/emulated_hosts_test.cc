#include "cluster/emulated_hosts.h"

#include <map>

#include <gtest/gtest.h>

#include "tee/epc/host_segment.h"

namespace s3ml::cluster {
namespace {

TEST(ClusterEmulatedHostsTest, NamesAreValidEpcHostIdsTaggedByStateDir) {
  auto names = EmulatedHostNames("/tmp/s3ml-e2e-abc", 3);
  ASSERT_TRUE(names.ok());
  const std::string tag = StateDirTag("/tmp/s3ml-e2e-abc");
  EXPECT_EQ(tag.size(), 8u);
  EXPECT_EQ(*names, (std::vector<std::string>{tag + "-host-0", tag + "-host-1", tag + "-host-2"}));
  for (const auto& n : *names) EXPECT_TRUE(tee::epc::HostSegmentName(n).ok()) << n;
  // Stable for one directory, different for another: two clusters never share an EPC segment.
  EXPECT_EQ(EmulatedHostNames("/tmp/s3ml-e2e-abc", 1)->front(), names->front());
  EXPECT_NE(EmulatedHostNames("/tmp/s3ml-e2e-abd", 1)->front(), names->front());
  EXPECT_NE(StateDirTag("/home/a/.local/state/s3ml/cluster"), StateDirTag("/home/b/.local/state/s3ml/cluster"));
}

TEST(ClusterEmulatedHostsTest, RefusesHostCountsOutOfRange) {
  EXPECT_EQ(EmulatedHostNames("/d", 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EmulatedHostNames("/d", -1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EmulatedHostNames("/d", kMaxEmulatedHosts + 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EmulatedHostNames("/d", kMaxEmulatedHosts)->size(), static_cast<size_t>(kMaxEmulatedHosts));
}

TEST(ClusterEmulatedHostsTest, ServersSpreadRoundRobinInHostOrder) {
  const std::vector<std::string> hosts = {"h-0", "h-1", "h-2"};
  auto placed = PlaceServersOnHosts(hosts, 7);
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(*placed, (std::vector<std::string>{"h-0", "h-1", "h-2", "h-0", "h-1", "h-2", "h-0"}));
  EXPECT_TRUE(PlaceServersOnHosts(hosts, 0)->empty());
}

TEST(ClusterEmulatedHostsTest, MoreThanTenHostsKeepTheirOrder) {
  // Names sort "x-10" < "x-2"; placement must still follow the hosts' order.
  auto hosts = EmulatedHostNames("/d", 12);
  ASSERT_TRUE(hosts.ok());
  auto placed = PlaceServersOnHosts(*hosts, 12);
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(*placed, *hosts);
}

TEST(ClusterEmulatedHostsTest, PlacementRefusesNoHostsOrNegativeCounts) {
  EXPECT_EQ(PlaceServersOnHosts({}, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PlaceServersOnHosts({"h"}, -1).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace s3ml::cluster
