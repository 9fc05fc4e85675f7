#include "net/host_port.h"

#include <gtest/gtest.h>

namespace s3ml::net {
namespace {

TEST(HostPortTest, Parses) {
  auto a = ParseHostPort("127.0.0.1:9101");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9101);
  auto b = ParseHostPort("[::1]:0");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 0);
  EXPECT_EQ(ParseHostPort("0.0.0.0:65535")->port, 65535);
}

TEST(HostPortTest, RefusesMalformed) {
  for (const char* bad : {"", "9101", ":9101", "host:", "host:65536", "host:-1", "host:9x", "[::1:80", "[]:80"}) {
    auto a = ParseHostPort(bad);
    EXPECT_EQ(a.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace s3ml::net
