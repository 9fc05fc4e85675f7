// `make demo` as a user runs it: scripts/demo.sh against this build's binaries, its cluster on free
// ports (S3ML_DEMO_BASE_PORT=0) in a temporary state directory, so it never meets a user's cluster.
// The script leaves the cluster running on purpose; the test stops it, also when it fails or is
// killed.
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "tests/e2e/e2e_cluster.h"

namespace s3ml::e2e {
namespace {

namespace fs = std::filesystem;

// The demo's state directory: `s3ml down` and removal when the test ends, or, if the test process
// is killed (CTest's timeout), by the OrphanGuard. The guard first kills the script and what it
// runs (its own process group, see RunDemo), so that an interrupted `s3ml up` cannot start
// daemons after the `s3ml down`.
class DemoState {
 public:
  DemoState() {
    char pattern[] = "/tmp/s3ml-e2e-demo-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) return;
    const char* stop_script =
        "pgid=$(cat \"$2/demo.pid\" 2>/dev/null) && kill -s KILL -- \"-$pgid\"; "
        "\"$0\" down --state-dir \"$1\" --grace 2; rm -rf -- \"$2\"";
    auto guard = OrphanGuard::Arm({"/bin/sh", "-c", stop_script, BinDir() + "/s3ml", std::string(pattern) + "/state",
                                   pattern});
    if (!guard.ok()) {
      std::error_code ec;
      fs::remove_all(pattern, ec);
      return;
    }
    dir_ = pattern;
    guard_.emplace(std::move(guard).value());
  }
  ~DemoState() {
    if (dir_.empty()) return;
    Down();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // A subdirectory, as a user's default one would be: `s3ml up` creates it.
  std::string state() const { return dir_ + "/state"; }
  std::string pid_file() const { return dir_ + "/demo.pid"; }
  bool ok() const { return !dir_.empty(); }
  CommandResult Down() const {
    return RunCommand({BinDir() + "/s3ml", "down", "--state-dir", state(), "--grace", "5"});
  }

 private:
  std::string dir_;
  std::optional<OrphanGuard> guard_;
};

// Runs demo.sh in a process group of its own, whose id it leaves in the pid file for the guard.
CommandResult RunDemo(const DemoState& demo) {
  // demo.sh takes the build directory relative to the source tree, as `make demo` passes it.
  const std::string build = fs::relative(S3ML_BINARY_DIR, S3ML_SOURCE_DIR).string();
  return RunCommandInOwnGroup({"/usr/bin/env", "S3ML_DEMO_BASE_PORT=0", "S3ML_DEMO_STATE_DIR=" + demo.state(),
                               std::string("S3ML_TESTDATA_DIR=") + S3ML_TESTDATA_DIR, "/bin/bash",
                               std::string(S3ML_SOURCE_DIR) + "/scripts/demo.sh", build},
                              demo.pid_file(), 240);
}

TEST(DemoE2eTest, DemoScriptStartsAttestsAndClassifiesThenReusesItsCluster) {
  const std::string missing = MissingPrerequisite();
  ASSERT_EQ(missing, "") << "not built or not installed (`make` builds and installs everything): " << missing;
  DemoState demo;
  ASSERT_TRUE(demo.ok());

  CommandResult first = RunDemo(demo);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  for (const char* expected : {"mrenclave:", "Egyptian cat", "chickadee"}) {
    EXPECT_NE(first.output.find(expected), std::string::npos) << expected << " missing from:\n" << first.output;
  }
  EXPECT_NE(first.output.find("The cluster is still running"), std::string::npos) << first.output;

  // Re-running the demo uses the running cluster instead of starting another.
  CommandResult second = RunDemo(demo);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("already running"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find("chickadee"), std::string::npos) << second.output;

  CommandResult down = demo.Down();
  EXPECT_EQ(down.exit_code, 0) << down.output;
  CommandResult status = RunCommand({BinDir() + "/s3ml", "status", "--state-dir", demo.state()});
  EXPECT_NE(status.exit_code, 0) << "the cluster is still running after s3ml down:\n" << status.output;
}

}  // namespace
}  // namespace s3ml::e2e
