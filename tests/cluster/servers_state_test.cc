#include <gtest/gtest.h>

#include "cluster/haproxy_runtime.h"

namespace s3ml::cluster {
namespace {

// Captured from HAProxy 2.6.12 (`show servers state s3ml_servers`).
constexpr char kReply[] =
    "1\n"
    "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight "
    "srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state "
    "srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port "
    "srv_check_addr srv_agent_addr srv_agent_port\n"
    "3 be 1 s1 127.0.0.1 2 0 100 1 3 6 3 2 6 22 0 0 - 18001 - 0 0 - 127.0.0.1 18002\n"
    "3 be 2 s2 127.0.0.1 0 1 1 1 0 1 0 0 6 22 0 0 - 18011 - 0 0 - 127.0.0.1 18012\n"
    "3 be 3 s3 ::1 2 8 50 1 0 1 0 0 6 22 0 0 - 18021 - 0 0 - ::1 18022\n"
    "\n";

TEST(ServersStateTest, ParsesRowsByColumnName) {
  auto states = ParseServersState(kReply);
  ASSERT_TRUE(states.ok()) << states.status().ToString();
  ASSERT_EQ(states->size(), 3u);
  const auto& s1 = (*states)[0];
  EXPECT_EQ(s1.backend, "be");
  EXPECT_EQ(s1.name, "s1");
  EXPECT_EQ(s1.address, "127.0.0.1");
  EXPECT_EQ(s1.port, 18001);
  EXPECT_EQ(s1.agent_port, 18002);
  EXPECT_EQ(s1.weight, 100);
  EXPECT_TRUE(s1.up());
  EXPECT_EQ(s1.Describe(), "UP");
  EXPECT_FALSE((*states)[1].up());
  EXPECT_TRUE((*states)[1].in_maintenance());
  EXPECT_EQ((*states)[1].Describe(), "MAINT");
  EXPECT_TRUE((*states)[2].draining());
  EXPECT_EQ((*states)[2].Describe(), "DRAIN");
  EXPECT_EQ((*states)[2].address, "::1");
}

TEST(ServersStateTest, EmptyBackendHasNoRows) {
  auto states = ParseServersState("1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state "
                                  "srv_uweight srv_port\n\n");
  ASSERT_TRUE(states.ok());
  EXPECT_TRUE(states->empty());
}

TEST(ServersStateTest, RefusesMalformedReplies) {
  EXPECT_EQ(ParseServersState("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseServersState("2\n# be_name\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseServersState("Can't find backend.\n").status().code(), StatusCode::kInvalidArgument);
  // Data before the header.
  EXPECT_EQ(ParseServersState("1\n3 be 1 s1\n").status().code(), StatusCode::kInvalidArgument);
  // A row shorter than the header.
  const std::string header =
      "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_port\n";
  EXPECT_EQ(ParseServersState(header + "3 be 1 s1 127.0.0.1 2\n").status().code(), StatusCode::kInvalidArgument);
  // Non-numeric and out-of-range fields.
  EXPECT_EQ(ParseServersState(header + "3 be 1 s1 127.0.0.1 x 0 1 80\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseServersState(header + "3 be 1 s1 127.0.0.1 7 0 1 80\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseServersState(header + "3 be 1 s1 127.0.0.1 2 0 1 70000\n").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseServersState(header + "3 be 1 s1 127.0.0.1 2 0 1 99999999999999999999\n").status().code(),
            StatusCode::kInvalidArgument);
  // A header without a required column.
  EXPECT_EQ(ParseServersState("1\n# be_id be_name\n3 be\n").status().code(), StatusCode::kInvalidArgument);
}

TEST(AddServerCommandTest, BuildsTheDynamicServerLine) {
  DynamicServer server{"server-1", "127.0.0.1", 18001, 18002};
  auto cmd = AddServerCommand("s3ml_servers", server, ServerCheckOptions{});
  ASSERT_TRUE(cmd.ok());
  EXPECT_EQ(*cmd,
            "add server s3ml_servers/server-1 127.0.0.1:18001 weight 100 check inter 500ms fall 2 rise 1 on-marked-down "
            "shutdown-sessions agent-check agent-addr 127.0.0.1 agent-port 18002 agent-inter 1000ms");
  server.address = "::1";
  server.agent_port = 0;
  cmd = AddServerCommand("be", server, ServerCheckOptions{});
  ASSERT_TRUE(cmd.ok());
  EXPECT_NE(cmd->find("[::1]:18001"), std::string::npos);
  EXPECT_EQ(cmd->find("agent"), std::string::npos);
}

TEST(AddServerCommandTest, RefusesInjection) {
  ServerCheckOptions checks;
  EXPECT_FALSE(AddServerCommand("be", {"s1;shutdown sessions", "127.0.0.1", 1, 2}, checks).ok());
  EXPECT_FALSE(AddServerCommand("be x", {"s1", "127.0.0.1", 1, 2}, checks).ok());
  EXPECT_FALSE(AddServerCommand("be", {"s1", "localhost", 1, 2}, checks).ok());
  EXPECT_FALSE(AddServerCommand("be", {"s1", "127.0.0.1 disabled", 1, 2}, checks).ok());
  EXPECT_FALSE(AddServerCommand("be", {"s1", "127.0.0.1", 0, 2}, checks).ok());
  checks.weight = 0;
  EXPECT_FALSE(AddServerCommand("be", {"s1", "127.0.0.1", 1, 2}, checks).ok());
  checks.weight = 100;
  checks.fall = 0;
  EXPECT_FALSE(AddServerCommand("be", {"s1", "127.0.0.1", 1, 2}, checks).ok());
}

}  // namespace
}  // namespace s3ml::cluster
