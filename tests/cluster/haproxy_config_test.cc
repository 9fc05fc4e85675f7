#include "cluster/haproxy_config.h"

#include <gtest/gtest.h>

namespace s3ml::cluster {
namespace {

HaproxyConfigOptions Options() {
  HaproxyConfigOptions o;
  o.admin_socket = "/tmp/x/haproxy.sock";
  o.service_port = 18443;
  return o;
}

TEST(HaproxyConfigTest, RendersTcpPassthroughWithAdminSocketAndDynamicBackend) {
  auto cfg = RenderHaproxyConfig(Options());
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_NE(cfg->find("stats socket /tmp/x/haproxy.sock mode 600 level admin expose-fd listeners"), std::string::npos);
  EXPECT_NE(cfg->find("  mode tcp\n"), std::string::npos);
  EXPECT_EQ(cfg->find("mode http"), std::string::npos);
  EXPECT_EQ(cfg->find("ssl"), std::string::npos) << "TLS must pass through, never terminate in HAProxy";
  EXPECT_NE(cfg->find("bind 127.0.0.1:18443\n"), std::string::npos);
  EXPECT_NE(cfg->find("default_backend s3ml_servers"), std::string::npos);
  EXPECT_NE(cfg->find("backend s3ml_servers\n  # roundrobin is dynamic: required for servers added through the "
                      "runtime API.\n  balance roundrobin"),
            std::string::npos);
  EXPECT_NE(cfg->find("option redispatch"), std::string::npos);
  EXPECT_NE(cfg->find("timeout connect 2000ms"), std::string::npos);
}

TEST(HaproxyConfigTest, BracketsIpv6BindAddress) {
  auto o = Options();
  o.bind_address = "::1";
  auto cfg = RenderHaproxyConfig(o);
  ASSERT_TRUE(cfg.ok());
  EXPECT_NE(cfg->find("bind [::1]:18443"), std::string::npos);
}

TEST(HaproxyConfigTest, RefusesInputThatWouldBreakTheFile) {
  auto o = Options();
  o.admin_socket = "relative.sock";
  EXPECT_EQ(RenderHaproxyConfig(o).status().code(), StatusCode::kInvalidArgument);
  o = Options();
  o.admin_socket = "/tmp/a b.sock";
  EXPECT_EQ(RenderHaproxyConfig(o).status().code(), StatusCode::kInvalidArgument);
  o = Options();
  o.admin_socket = "/tmp/x\nlisten evil";
  EXPECT_EQ(RenderHaproxyConfig(o).status().code(), StatusCode::kInvalidArgument);
  o = Options();
  o.admin_socket = "/" + std::string(120, 'a');
  EXPECT_EQ(RenderHaproxyConfig(o).status().code(), StatusCode::kInvalidArgument);
  o = Options();
  o.backend = "be;shutdown";
  EXPECT_EQ(RenderHaproxyConfig(o).status().code(), StatusCode::kInvalidArgument);
  o = Options();
  o.service_port = 0;
  EXPECT_EQ(RenderHaproxyConfig(o).status().code(), StatusCode::kInvalidArgument);
  o = Options();
  o.connect_timeout_ms = 0;
  EXPECT_EQ(RenderHaproxyConfig(o).status().code(), StatusCode::kInvalidArgument);
  o = Options();
  o.bind_address = "127.0.0.1 # x";
  EXPECT_EQ(RenderHaproxyConfig(o).status().code(), StatusCode::kInvalidArgument);
}

TEST(HaproxyConfigTest, ValidNames) {
  EXPECT_TRUE(IsValidHaproxyName("server-1"));
  EXPECT_TRUE(IsValidHaproxyName("s3ml_servers.a"));
  EXPECT_FALSE(IsValidHaproxyName(""));
  EXPECT_FALSE(IsValidHaproxyName("a/b"));
  EXPECT_FALSE(IsValidHaproxyName("a b"));
  EXPECT_FALSE(IsValidHaproxyName(std::string(65, 'a')));
}

}  // namespace
}  // namespace s3ml::cluster
