#include "cluster/server_template.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace s3ml::cluster {
namespace {

ComponentRecord Template() {
  ComponentRecord c;
  c.name = "server-1";
  c.kind = "server";
  c.argv = {"/d/enclaves/s3ml-server", "--ecs", "https://127.0.0.1:8444", "--listen", "127.0.0.1:8445",
            "--metrics", "127.0.0.1:8446", "--agent", "127.0.0.1:8447", "--epc-host", "abc-host-0",
            "--agent-policy", "epc"};
  c.env = {"S3ML_SIM_QE_SOCKET=/d/sim/qe.sock"};
  c.ready_log_line = "server listening on";
  c.port = 8445;
  c.metrics_port = 8446;
  c.agent_port = 8447;
  c.epc_host = "abc-host-0";
  return c;
}

std::string FlagValue(const ComponentRecord& c, const std::string& flag) {
  auto it = std::find(c.argv.begin(), c.argv.end(), flag);
  return it == c.argv.end() || it + 1 == c.argv.end() ? "" : *(it + 1);
}

TEST(ServerTemplateTest, CloneGetsItsOwnNamePortsAndHost) {
  auto c = CloneServerComponent(Template(), {"server-3", "127.0.0.1", 9001, 9002, 9003, "abc-host-2"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->name, "server-3");
  EXPECT_EQ(FlagValue(*c, "--listen"), "127.0.0.1:9001");
  EXPECT_EQ(FlagValue(*c, "--metrics"), "127.0.0.1:9002");
  EXPECT_EQ(FlagValue(*c, "--agent"), "127.0.0.1:9003");
  EXPECT_EQ(FlagValue(*c, "--epc-host"), "abc-host-2");
  EXPECT_EQ(c->epc_host, "abc-host-2");
  EXPECT_EQ(c->port, 9001);
  EXPECT_EQ(c->agent_port, 9003);
  // Everything else is the template's.
  EXPECT_EQ(FlagValue(*c, "--ecs"), "https://127.0.0.1:8444");
  EXPECT_EQ(FlagValue(*c, "--agent-policy"), "epc");
  EXPECT_EQ(c->env, Template().env);
  EXPECT_EQ(c->ready_log_line, "server listening on");
}

TEST(ServerTemplateTest, Ipv6AddressesAreBracketed) {
  auto c = CloneServerComponent(Template(), {"server-2", "::1", 9001, 9002, 9003, "h"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(FlagValue(*c, "--listen"), "[::1]:9001");
}

TEST(ServerTemplateTest, RefusesWhatCannotBeCloned) {
  ComponentRecord not_server = Template();
  not_server.kind = "ecs";
  EXPECT_FALSE(CloneServerComponent(not_server, {"server-2", "127.0.0.1", 1, 2, 3, "h"}).ok());
  EXPECT_FALSE(CloneServerComponent(Template(), {"server-2", "127.0.0.1", 0, 2, 3, "h"}).ok());
  EXPECT_FALSE(CloneServerComponent(Template(), {"server-2", "127.0.0.1", 1, 2, 3, ""}).ok());  // host needed
  ComponentRecord no_agent = Template();
  no_agent.argv.erase(no_agent.argv.begin() + 7, no_agent.argv.begin() + 9);
  EXPECT_FALSE(CloneServerComponent(no_agent, {"server-2", "127.0.0.1", 1, 2, 3, "h"}).ok());
  ComponentRecord dangling = Template();
  dangling.argv.resize(10);  // "--epc-host" with no value
  auto r = CloneServerComponent(dangling, {"server-2", "127.0.0.1", 1, 2, 3, "h"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace s3ml::cluster
