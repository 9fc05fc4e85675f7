// HaproxyRuntime against a fake admin socket. The fake replaces HAProxy's runtime API: it accepts
// one command per connection, records it, answers with the reply scripted for that command's
// first words (HAProxy 2.6's wording) and closes, as HAProxy does in non-interactive mode. The
// same client is exercised against a real HAProxy in haproxy_integration_test.cc.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "cluster/haproxy_runtime.h"
#include "tests/cluster/cluster_test_util.h"

namespace s3ml::cluster {
namespace {

using namespace std::chrono_literals;

class FakeAdminSocket {
 public:
  explicit FakeAdminSocket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeAdminSocket() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
    ::unlink(path_.c_str());
  }

  // Replies for commands starting with `prefix`, consumed in order; the last one repeats.
  void Script(const std::string& prefix, std::vector<std::string> replies) {
    std::lock_guard<std::mutex> lock(mu_);
    script_[prefix] = std::deque<std::string>(replies.begin(), replies.end());
  }
  void NeverReply() { silent_ = true; }
  std::vector<std::string> commands() {
    std::lock_guard<std::mutex> lock(mu_);
    return commands_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) != 1) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      std::string line;
      char ch;
      while (::recv(c, &ch, 1, 0) == 1 && ch != '\n') line.push_back(ch);
      std::string reply = "Unknown command.\n";
      {
        std::lock_guard<std::mutex> lock(mu_);
        commands_.push_back(line);
        size_t best = 0;
        for (auto& [prefix, replies] : script_) {
          if (line.rfind(prefix, 0) == 0 && prefix.size() >= best && !replies.empty()) {
            best = prefix.size();
            reply = replies.front();
            if (replies.size() > 1) replies.pop_front();
          }
        }
      }
      if (silent_) {
        while (!stop_) std::this_thread::sleep_for(10ms);
      } else {
        (void)!::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      }
      ::close(c);
    }
  }

  std::string path_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<bool> silent_{false};
  std::mutex mu_;
  std::map<std::string, std::deque<std::string>> script_;
  std::vector<std::string> commands_;
  std::thread thread_;
};

class HaproxyRuntimeTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::string socket_ = dir_.path() + "/admin.sock";
  FakeAdminSocket fake_{socket_};
  HaproxyRuntime runtime_{socket_, 1000ms};
};

TEST_F(HaproxyRuntimeTest, ExecuteReturnsTheWholeReply) {
  fake_.Script("show info", {"Name: HAProxy\nVersion: 2.6.12\n\n"});
  auto reply = runtime_.Execute("show info");
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(*reply, "Name: HAProxy\nVersion: 2.6.12\n\n");
  EXPECT_EQ(fake_.commands(), std::vector<std::string>{"show info"});
}

TEST_F(HaproxyRuntimeTest, RefusesChainedCommands) {
  EXPECT_EQ(runtime_.Execute("show info; shutdown frontend fe").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(runtime_.Execute("show info\nshutdown frontend fe").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(fake_.commands().empty());
}

TEST_F(HaproxyRuntimeTest, AddServerAddsEnablesChecksAndSetsReady) {
  fake_.Script("add server", {"New server registered.\n\n"});
  fake_.Script("enable", {"\n"});
  fake_.Script("set server", {"\n"});
  Status s = runtime_.AddServer("be", {"server-1", "127.0.0.1", 18001, 18002}, ServerCheckOptions{});
  ASSERT_TRUE(s.ok()) << s.ToString();
  const auto cmds = fake_.commands();
  ASSERT_EQ(cmds.size(), 4u);
  EXPECT_EQ(cmds[0].rfind("add server be/server-1 127.0.0.1:18001 weight 100 check", 0), 0u);
  EXPECT_EQ(cmds[1], "enable health be/server-1");
  EXPECT_EQ(cmds[2], "enable agent be/server-1");
  EXPECT_EQ(cmds[3], "set server be/server-1 state ready");
}

TEST_F(HaproxyRuntimeTest, AddServerReportsHaproxysRefusal) {
  fake_.Script("add server", {"Already exists a server with the same name in backend.\n\n"});
  Status s = runtime_.AddServer("be", {"server-1", "127.0.0.1", 18001, 18002}, ServerCheckOptions{});
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_NE(s.message().find("Already exists"), std::string::npos);
  EXPECT_EQ(fake_.commands().size(), 1u) << "nothing else is sent after a refused add";
}

TEST_F(HaproxyRuntimeTest, RemoveServerRetriesWhileConnectionsRemain) {
  fake_.Script("disable agent", {"\n"});
  fake_.Script("set server", {"\n"});
  fake_.Script("del server", {"Server still has connections attached to it, cannot remove it.\n",
                              "Server deleted.\n"});
  Status s = runtime_.RemoveServer("be", "server-1", 2000ms);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const auto cmds = fake_.commands();
  ASSERT_EQ(cmds.size(), 4u);
  EXPECT_EQ(cmds[0], "disable agent be/server-1");
  EXPECT_EQ(cmds[1], "set server be/server-1 state maint");
  EXPECT_EQ(cmds[2], "del server be/server-1");
  EXPECT_EQ(cmds[3], "del server be/server-1");
}

TEST_F(HaproxyRuntimeTest, RemoveServerGivesUpAfterTimeout) {
  fake_.Script("disable agent", {"\n"});
  fake_.Script("set server", {"\n"});
  fake_.Script("del server", {"Server still has connections attached to it, cannot remove it.\n"});
  Status s = runtime_.RemoveServer("be", "server-1", 300ms);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("still has connections"), std::string::npos);
}

TEST_F(HaproxyRuntimeTest, UnknownServerIsNotFound) {
  fake_.Script("disable agent", {"No such server.\n\n"});
  EXPECT_EQ(runtime_.RemoveServer("be", "ghost").code(), StatusCode::kNotFound);
  fake_.Script("set server", {"No such server.\n\n"});
  EXPECT_EQ(runtime_.SetServerState("be", "ghost", ServerAdminState::kDrain).code(), StatusCode::kNotFound);
}

TEST_F(HaproxyRuntimeTest, SetStateAndWeightSendTheRightCommands) {
  fake_.Script("set server", {"\n"});
  ASSERT_TRUE(runtime_.SetServerState("be", "s1", ServerAdminState::kDrain).ok());
  ASSERT_TRUE(runtime_.SetServerState("be", "s1", ServerAdminState::kMaint).ok());
  ASSERT_TRUE(runtime_.SetServerWeight("be", "s1", 40).ok());
  EXPECT_EQ(runtime_.SetServerWeight("be", "s1", 300).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fake_.commands(), (std::vector<std::string>{"set server be/s1 state drain", "set server be/s1 state maint",
                                                        "set server be/s1 weight 40"}));
}

TEST_F(HaproxyRuntimeTest, ServersStateParsesAndUnknownBackendIsNotFound) {
  fake_.Script("show servers state be",
               {"1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_port\n"
                "3 be 1 s1 127.0.0.1 2 0 100 18001\n\n"});
  auto states = runtime_.ServersState("be");
  ASSERT_TRUE(states.ok()) << states.status().ToString();
  ASSERT_EQ(states->size(), 1u);
  EXPECT_TRUE((*states)[0].up());
  fake_.Script("show servers state nope", {"Can't find backend.\n\n"});
  EXPECT_EQ(runtime_.ServersState("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(HaproxyRuntimeTest, WaitForServersUpTimesOutNamingTheMissingServer) {
  fake_.Script("show servers state",
               {"1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_port\n"
                "3 be 1 s1 127.0.0.1 2 0 100 18001\n3 be 2 s2 127.0.0.1 0 0 100 18002\n\n"});
  EXPECT_TRUE(runtime_.WaitForServersUp("be", {"s1"}, 500ms).ok());
  Status s = runtime_.WaitForServersUp("be", {"s1", "s2"}, 300ms);
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(s.message().find("s2"), std::string::npos);
  EXPECT_EQ(s.message().find("s1"), std::string::npos);
}

TEST_F(HaproxyRuntimeTest, SilentPeerTimesOut) {
  fake_.NeverReply();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(runtime_.Execute("show info").status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(HaproxyRuntimeNoSocketTest, MissingSocketIsUnavailable) {
  HaproxyRuntime runtime("/tmp/s3ml-no-such-dir/haproxy.sock", 500ms);
  EXPECT_EQ(runtime.Execute("show info").status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace s3ml::cluster
