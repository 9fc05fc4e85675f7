#include "client/https_url.h"

#include <gtest/gtest.h>

namespace s3ml::client {
namespace {

TEST(HttpsUrlTest, ParsesHostsAndPorts) {
  auto a = ParseHttpsUrl("https://localhost:8443");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "localhost");
  EXPECT_EQ(a->port, 8443);
  auto b = ParseHttpsUrl("https://127.0.0.1:1/");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "127.0.0.1");
  EXPECT_EQ(b->port, 1);
  auto c = ParseHttpsUrl("https://[::1]:65535");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(EndpointString(*c), "[::1]:65535");
  auto d = ParseHttpsUrl("https://ecs.example", 443);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, 443);
}

TEST(HttpsUrlTest, RefusesAnythingElse) {
  for (const char* bad : {"", "http://localhost:1", "https://", "https://:80", "https://host", "https://host:0",
                          "https://host:65536", "https://host:-1", "https://host:80/path", "https://host:80?x=1",
                          "https://user@host:80", "https://[::1", "https://[::1]x", "https://ho st:80", "https://host:8a",
                          "https://host:"}) {
    auto r = ParseHttpsUrl(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

}  // namespace
}  // namespace s3ml::client
