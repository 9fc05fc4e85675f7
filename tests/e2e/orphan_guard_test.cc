#include "tests/e2e/orphan_guard.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace s3ml::e2e {
namespace {

namespace fs = std::filesystem;

class OrphanGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/s3ml-orphan-guard-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    marker_ = dir_ + "/ran";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Whether the marker appears within `limit`.
  bool MarkerAppears(std::chrono::milliseconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (fs::exists(marker_)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return fs::exists(marker_);
  }

  std::string dir_, marker_;
};

TEST_F(OrphanGuardTest, RunsTheCommandWhenItsOwnerIsKilled) {
  const pid_t owner = ::fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {  // the owner: arms a guard and dies without destructors, as under SIGKILL
    auto guard = OrphanGuard::Arm({"/usr/bin/touch", marker_});
    if (!guard.ok()) ::_exit(1);
    ::raise(SIGKILL);
    ::_exit(2);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(owner, &status, 0), owner);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the owner could not arm the guard";
  EXPECT_TRUE(MarkerAppears(std::chrono::seconds(10)));
}

TEST_F(OrphanGuardTest, DestroyedGuardNeverRunsTheCommand) {
  {
    auto guard = OrphanGuard::Arm({"/usr/bin/touch", marker_});
    ASSERT_TRUE(guard.ok()) << guard.status().ToString();
    OrphanGuard moved = std::move(guard).value();  // the moved-from guard must not disarm anything
  }
  EXPECT_FALSE(MarkerAppears(std::chrono::milliseconds(500)));
}

TEST_F(OrphanGuardTest, RefusesAnEmptyCommand) { EXPECT_FALSE(OrphanGuard::Arm({}).ok()); }

}  // namespace
}  // namespace s3ml::e2e
