#include "cluster/process_supervisor.h"

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/cluster/cluster_test_util.h"

namespace s3ml::cluster {
namespace {

using namespace std::chrono_literals;

ProcessSpec Shell(const std::string& name, const std::string& script) { return {name, {"/bin/sh", "-c", script}, {}}; }

class ProcessSupervisorTest : public ::testing::Test {
 protected:
  ~ProcessSupervisorTest() override {
    for (const auto& name : supervisor_.Tracked()) (void)supervisor_.Stop(name, 100ms);
  }
  testing::TempDir dir_;
  ProcessSupervisor supervisor_{dir_.path()};
};

TEST_F(ProcessSupervisorTest, StartsDetachedLogsTracksAndStops) {
  auto pid = supervisor_.Start(Shell("child", "echo \"child ready $GREETING\"; exec sleep 30"));
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  ASSERT_TRUE(supervisor_.WaitForLogLine("child", "child ready", 5s).ok());
  EXPECT_EQ(::getsid(*pid), *pid) << "the child leads its own session";
  auto status = supervisor_.Inspect("child");
  EXPECT_TRUE(status.alive);
  EXPECT_EQ(status.pid, *pid);
  EXPECT_EQ(supervisor_.Tracked(), std::vector<std::string>{"child"});
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/run/child.pid"));

  ASSERT_TRUE(supervisor_.Stop("child", 2s).ok());
  EXPECT_FALSE(supervisor_.Inspect("child").alive);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/run/child.pid"));
  EXPECT_NE(::kill(*pid, 0), 0);
  EXPECT_TRUE(supervisor_.Stop("child").ok()) << "stopping a stopped process is fine";
}

TEST_F(ProcessSupervisorTest, PassesEnvironment) {
  ProcessSpec spec = Shell("env", "echo \"value=$S3ML_TEST_VALUE\"; exec sleep 30");
  spec.env = {"S3ML_TEST_VALUE=forty-two"};
  ASSERT_TRUE(supervisor_.Start(spec).ok());
  EXPECT_TRUE(supervisor_.WaitForLogLine("env", "value=forty-two", 5s).ok()) << supervisor_.LogTail("env");
}

TEST_F(ProcessSupervisorTest, RefusesASecondLiveProcessOfTheSameName) {
  ASSERT_TRUE(supervisor_.Start(Shell("one", "exec sleep 30")).ok());
  EXPECT_EQ(supervisor_.Start(Shell("one", "exec sleep 30")).status().code(), StatusCode::kAlreadyExists);
}

TEST_F(ProcessSupervisorTest, MissingExecutableIsReportedByStart) {
  auto pid = supervisor_.Start({"ghost", {dir_.path() + "/no-such-program"}, {}});
  EXPECT_EQ(pid.status().code(), StatusCode::kNotFound) << pid.status().ToString();
  EXPECT_FALSE(supervisor_.Inspect("ghost").alive);
}

TEST_F(ProcessSupervisorTest, ExitBeforeReadyFailsFastWithTheLogTail) {
  ASSERT_TRUE(supervisor_.Start(Shell("refused", "sleep 0.2; echo 'provisioning refused: MRENCLAVE not allowed' >&2; exit 3")).ok());
  const auto start = std::chrono::steady_clock::now();
  Status s = supervisor_.WaitForLogLine("refused", "server listening on", 10s);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("MRENCLAVE not allowed"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("exit status 3"), std::string::npos) << s.message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(ProcessSupervisorTest, ReadinessOfARestartIgnoresThePreviousRunsLog) {
  ASSERT_TRUE(supervisor_.Start(Shell("again", "echo listening; exec sleep 30")).ok());
  ASSERT_TRUE(supervisor_.WaitForLogLine("again", "listening", 5s).ok());
  ASSERT_TRUE(supervisor_.Stop("again", 2s).ok());
  ASSERT_TRUE(supervisor_.Start(Shell("again", "exec sleep 30")).ok());
  EXPECT_EQ(supervisor_.WaitForLogLine("again", "listening", 300ms).code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(supervisor_.LogTail("again").find("listening"), std::string::npos) << "the old run's log is kept";
}

TEST_F(ProcessSupervisorTest, ReadinessTimeoutNamesTheProcess) {
  ASSERT_TRUE(supervisor_.Start(Shell("slow", "echo starting; exec sleep 30")).ok());
  Status s = supervisor_.WaitUntilReady("slow", [] { return false; }, 200ms);
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(s.message().find("slow"), std::string::npos);
}

TEST_F(ProcessSupervisorTest, KillsAProcessThatIgnoresSigterm) {
  ASSERT_TRUE(supervisor_.Start(Shell("stubborn", "trap '' TERM; echo armed; while :; do sleep 0.05; done")).ok());
  ASSERT_TRUE(supervisor_.WaitForLogLine("stubborn", "armed", 5s).ok());
  const pid_t pid = supervisor_.Inspect("stubborn").pid;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(supervisor_.Stop("stubborn", 300ms).ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  EXPECT_FALSE(supervisor_.Inspect("stubborn").alive);
  EXPECT_NE(::kill(pid, 0), 0);
}

TEST_F(ProcessSupervisorTest, DetectsADeadProcess) {
  ASSERT_TRUE(supervisor_.Start(Shell("victim", "exec sleep 30")).ok());
  ASSERT_TRUE(supervisor_.Signal("victim", SIGKILL).ok());
  for (int i = 0; i < 100 && supervisor_.Inspect("victim").alive; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(supervisor_.Inspect("victim").alive);
  EXPECT_EQ(supervisor_.Signal("victim", SIGTERM).code(), StatusCode::kNotFound);
  // A dead process's name can be started again.
  EXPECT_TRUE(supervisor_.Start(Shell("victim", "exec sleep 30")).ok());
}

TEST_F(ProcessSupervisorTest, RecycledPidIsNotTakenForOurProcess) {
  std::filesystem::create_directories(dir_.path() + "/run");
  // Our own pid with a start time that is not ours: a pid file left behind by a process whose pid
  // has since been reused. Stop must not signal us.
  std::ofstream(dir_.path() + "/run/old.pid") << ::getpid() << " 1\n";
  EXPECT_FALSE(supervisor_.Inspect("old").alive);
  EXPECT_TRUE(supervisor_.Stop("old").ok());
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/run/old.pid"));
}

TEST_F(ProcessSupervisorTest, MalformedPidFileIsAnError) {
  std::filesystem::create_directories(dir_.path() + "/run");
  std::ofstream(dir_.path() + "/run/bad.pid") << "not a pid\n";
  EXPECT_EQ(supervisor_.Stop("bad").code(), StatusCode::kInvalidArgument);
  std::ofstream(dir_.path() + "/run/one.pid") << "1 0\n";
  EXPECT_EQ(supervisor_.Stop("one").code(), StatusCode::kInvalidArgument) << "never signal init";
}

TEST_F(ProcessSupervisorTest, RefusesBadSpecs) {
  EXPECT_EQ(supervisor_.Start({"../escape", {"/bin/true"}, {}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(supervisor_.Start({"x", {}, {}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(supervisor_.Start({"x", {"/bin/true"}, {"NOEQUALS"}}).status().code(), StatusCode::kInvalidArgument);
}

TEST(TcpPortAcceptsTest, TellsListeningFromClosedPorts) {
  testing::TinyTcpServer server([](int) { return std::string(); });
  EXPECT_TRUE(TcpPortAccepts("127.0.0.1", server.port()));
  EXPECT_FALSE(TcpPortAccepts("not-an-ip", server.port()));
}

}  // namespace
}  // namespace s3ml::cluster
