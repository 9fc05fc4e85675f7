// The runtime API client against a real HAProxy (Debian's 2.6), started by the test with a rendered
// configuration on free loopback ports. Backends are tiny TCP servers that greet with their name;
// agents answer like s3ml-server's agent port ("up 100%" / "drain").
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "cluster/executable_lookup.h"
#include "cluster/haproxy_config.h"
#include "cluster/haproxy_runtime.h"
#include "cluster/port_plan.h"
#include "cluster/process_supervisor.h"
#include "tests/cluster/cluster_test_util.h"

namespace s3ml::cluster {
namespace {

using namespace std::chrono_literals;

class HaproxyIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto haproxy = FindExecutable("haproxy");
    if (!haproxy.ok()) GTEST_SKIP() << haproxy.status().ToString();
    auto ports = ReservePorts("127.0.0.1", 0, 1);
    ASSERT_TRUE(ports.ok());
    service_port_ = (*ports)[0];
    HaproxyConfigOptions options;
    options.admin_socket = dir_.path() + "/haproxy.sock";
    options.service_port = service_port_;
    auto cfg = RenderHaproxyConfig(options);
    ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
    std::ofstream(dir_.path() + "/haproxy.cfg") << *cfg;
    ASSERT_TRUE(supervisor_.Start({"haproxy", {*haproxy, "-f", dir_.path() + "/haproxy.cfg", "-db"}, {}}).ok());
    Status ready = supervisor_.WaitUntilReady("haproxy", [&] { return runtime_.Execute("show info").ok(); }, 10s);
    ASSERT_TRUE(ready.ok()) << ready.ToString();
  }
  void TearDown() override { (void)supervisor_.Stop("haproxy", 2s); }

  testing::TempDir dir_;
  ProcessSupervisor supervisor_{dir_.path()};
  HaproxyRuntime runtime_{dir_.path() + "/haproxy.sock", 2000ms};
  uint16_t service_port_ = 0;
  ServerCheckOptions fast_checks_{200, 1, 1, 200};
};

TEST_F(HaproxyIntegrationTest, AddedServersComeUpAndReceiveConnectionsRoundRobin) {
  testing::TinyTcpServer a([](int) { return std::string("a"); });
  testing::TinyTcpServer b([](int) { return std::string("b"); });
  testing::TinyTcpServer agent([](int) { return std::string("up 100%\n"); });
  ASSERT_TRUE(runtime_.AddServer("s3ml_servers", {"server-1", "127.0.0.1", a.port(), agent.port()}, fast_checks_).ok());
  Status added = runtime_.AddServer("s3ml_servers", {"server-2", "127.0.0.1", b.port(), agent.port()}, fast_checks_);
  ASSERT_TRUE(added.ok()) << added.ToString();
  Status up = runtime_.WaitForServersUp("s3ml_servers", {"server-1", "server-2"}, 5s);
  ASSERT_TRUE(up.ok()) << up.ToString();

  std::string seen;
  for (int i = 0; i < 4; ++i) seen += testing::ReadAllFrom(service_port_);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 'a'), 2) << seen;
  EXPECT_EQ(std::count(seen.begin(), seen.end(), 'b'), 2) << seen;

  auto states = runtime_.ServersState("s3ml_servers");
  ASSERT_TRUE(states.ok());
  ASSERT_EQ(states->size(), 2u);
  EXPECT_EQ((*states)[0].agent_port, agent.port());
  EXPECT_EQ((*states)[0].weight, 100) << "agent \"up 100%\" keeps the initial weight";
  EXPECT_GT(agent.connections(), 0) << "HAProxy runs the agent check";

  // A duplicate name is refused with HAProxy's words.
  EXPECT_FALSE(runtime_.AddServer("s3ml_servers", {"server-1", "127.0.0.1", a.port(), 0}, fast_checks_).ok());
}

TEST_F(HaproxyIntegrationTest, DrainedServerGetsNoNewConnectionsAndRemovedServerIsGone) {
  testing::TinyTcpServer a([](int) { return std::string("a"); });
  testing::TinyTcpServer b([](int) { return std::string("b"); });
  ASSERT_TRUE(runtime_.AddServer("s3ml_servers", {"server-1", "127.0.0.1", a.port(), 0}, fast_checks_).ok());
  ASSERT_TRUE(runtime_.AddServer("s3ml_servers", {"server-2", "127.0.0.1", b.port(), 0}, fast_checks_).ok());
  ASSERT_TRUE(runtime_.WaitForServersUp("s3ml_servers", {"server-1", "server-2"}, 5s).ok());

  ASSERT_TRUE(runtime_.SetServerState("s3ml_servers", "server-1", ServerAdminState::kDrain).ok());
  auto states = runtime_.ServersState("s3ml_servers");
  ASSERT_TRUE(states.ok());
  EXPECT_TRUE((*states)[0].draining());
  EXPECT_EQ((*states)[0].Describe(), "DRAIN");
  std::string seen;
  for (int i = 0; i < 4; ++i) seen += testing::ReadAllFrom(service_port_);
  EXPECT_EQ(seen, "bbbb");

  Status removed = runtime_.RemoveServer("s3ml_servers", "server-1");
  ASSERT_TRUE(removed.ok()) << removed.ToString();
  states = runtime_.ServersState("s3ml_servers");
  ASSERT_TRUE(states.ok());
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ((*states)[0].name, "server-2");
  EXPECT_EQ(runtime_.RemoveServer("s3ml_servers", "server-1").code(), StatusCode::kNotFound);
}

TEST_F(HaproxyIntegrationTest, AgentDrainAndDeadServerAreSeen) {
  testing::TinyTcpServer a([](int) { return std::string("a"); });
  // Like s3ml-server's agent: up first, then "drain" once it shuts down. (A dynamic server's
  // agent starts unhealthy, so it must have said "up" once.)
  testing::TinyTcpServer draining_agent([](int n) { return std::string(n <= 2 ? "up 100%\n" : "drain\n"); });
  ASSERT_TRUE(runtime_.AddServer("s3ml_servers", {"server-1", "127.0.0.1", a.port(), draining_agent.port()},
                                 fast_checks_).ok());
  // The agent's "drain" puts the server in drain state while it stays up.
  bool drained = false;
  std::string last;
  for (int i = 0; i < 50 && !drained; ++i) {
    auto states = runtime_.ServersState("s3ml_servers");
    if (states.ok() && states->size() == 1) last = (*states)[0].Describe();
    drained = states.ok() && states->size() == 1 && (*states)[0].draining() && (*states)[0].up();
    if (!drained) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(drained) << last;

  // A server whose port is closed is marked down by the health check.
  auto dead_port = ReservePorts("127.0.0.1", 0, 1);
  ASSERT_TRUE(dead_port.ok());
  ASSERT_TRUE(runtime_.AddServer("s3ml_servers", {"server-2", "127.0.0.1", (*dead_port)[0], 0}, fast_checks_).ok());
  bool down = false;
  for (int i = 0; i < 50 && !down; ++i) {
    auto states = runtime_.ServersState("s3ml_servers");
    down = states.ok() && states->size() == 2 && (*states)[1].op_state == 0;
    if (!down) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(down);
  EXPECT_EQ(runtime_.WaitForServersUp("s3ml_servers", {"server-2"}, 300ms).code(), StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace s3ml::cluster
