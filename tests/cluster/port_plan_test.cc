#include "cluster/port_plan.h"

#include <set>

#include <gtest/gtest.h>

#include "tests/cluster/cluster_test_util.h"

namespace s3ml::cluster {
namespace {

TEST(PortPlanTest, KernelChosenPortsAreDistinctAndFree) {
  auto ports = ReservePorts("127.0.0.1", 0, 8);
  ASSERT_TRUE(ports.ok()) << ports.status().ToString();
  ASSERT_EQ(ports->size(), 8u);
  EXPECT_EQ(std::set<uint16_t>(ports->begin(), ports->end()).size(), 8u);
  for (uint16_t p : *ports) EXPECT_NE(p, 0);
}

TEST(PortPlanTest, FixedBlockIsConsecutive) {
  auto free_port = ReservePorts("127.0.0.1", 0, 1);
  ASSERT_TRUE(free_port.ok());
  // Another test may take one in between; retry on a conflict rather than flake.
  for (uint16_t base = 20000; base < 60000; base += 997) {
    auto ports = ReservePorts("127.0.0.1", base, 3);
    if (!ports.ok()) continue;
    EXPECT_EQ(*ports, (std::vector<uint16_t>{base, static_cast<uint16_t>(base + 1), static_cast<uint16_t>(base + 2)}));
    return;
  }
  FAIL() << "no free block found";
}

TEST(PortPlanTest, PortInUseIsNamed) {
  testing::TinyTcpServer busy([](int) { return std::string(); });
  auto ports = ReservePorts("127.0.0.1", busy.port(), 1);
  EXPECT_EQ(ports.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(ports.status().message().find(std::to_string(busy.port())), std::string::npos);
}

TEST(PortPlanTest, RefusesBadInput) {
  EXPECT_EQ(ReservePorts("127.0.0.1", 65530, 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReservePorts("localhost", 0, 1).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace s3ml::cluster
