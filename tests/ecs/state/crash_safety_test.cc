// Crash safety of StateStore: an enclave commits in a loop and is SIGKILLed at a random moment,
// ECS_CRASH_ITERATIONS times on the same directory (the kill lands anywhere: during start-up,
// Load's head catch-up, or a Commit's writes). After every kill the state must load, be
// self-consistent, and hold at least every commit the child reported as returned (and at most one
// more: the commit in flight may have reached the disk).
#include <gtest/gtest.h>

#include <chrono>
#include <random>

#include "crypto/ec_key.h"
#include "tests/ecs/state/enclave_session.h"
#include "tests/tee/sim_test_env.h"

#ifndef ECS_CRASH_ITERATIONS
#define ECS_CRASH_ITERATIONS 50
#endif
// The soak build of this file (more iterations, labelled slow) names its suite differently, so
// that CTest sees two distinct tests.
#ifndef ECS_CRASH_SUITE
#define ECS_CRASH_SUITE StateStoreCrashTest
#endif

namespace s3ml::ecs {
namespace {

using testing::EnclaveSession;
using testing::Reply;

TEST(ECS_CRASH_SUITE, KilledCommitterAlwaysLeavesACommittedConsistentState) {
  tee::testing::TempDir tmp;
  tee::testing::RunningQe qe(tee::testing::MakeAuthority(tmp.Sub("host")), tmp.Sub("qe.sock"));
  const std::string enclave = tee::testing::InstallEnclave(tmp.path(), "ecs");
  tee::testing::SignEnclave(enclave, tee::testing::NewSigner(), 1, 1);
  const std::string dir = tmp.Sub("state");

  // Calibration on this machine: how long a child takes to start and then to commit, so that the
  // kill times spread over start-up and several commits whatever the speed of the disk.
  int64_t startup_us = 0, commit_us = 0;
  uint64_t calibration_version = 0;  // the calibration commits into the same directory
  {
    EnclaveSession child(enclave, qe.socket());
    const auto start = std::chrono::steady_clock::now();
    child.Send("open " + dir);
    child.Send("load");
    child.Send("commit-loop");
    std::chrono::steady_clock::time_point first;
    for (int commits = 0; commits < 6;) {
      std::optional<std::string> line = child.ReadLine(20000);
      ASSERT_TRUE(line.has_value()) << "the committing enclave stopped reporting";
      ASSERT_EQ(line->rfind("error", 0), std::string::npos) << *line;
      if (line->rfind("committed ", 0) != 0) continue;
      calibration_version = std::stoull(line->substr(10));
      if (++commits == 1) first = std::chrono::steady_clock::now();
    }
    const auto end = std::chrono::steady_clock::now();
    startup_us = std::chrono::duration_cast<std::chrono::microseconds>(first - start).count();
    commit_us = std::chrono::duration_cast<std::chrono::microseconds>(end - first).count() / 5;
    child.Kill();
  }
  std::printf("crash test: start-up %lld us, commit %lld us\n", static_cast<long long>(startup_us),
              static_cast<long long>(commit_us));

  std::mt19937 rng(std::random_device{}());
  // Kills are timed from the child's first reported commit: its start-up grows with the state and
  // journal and varies with the machine's load, so timing from the start would often kill it
  // before it commits at all.
  std::uniform_int_distribution<int64_t> delay_us(0, 6 * commit_us);
  EnclaveSession verifier(enclave, qe.socket());
  uint64_t durable = calibration_version;  // the highest version known to be committed
  int kills_after_a_commit = 0;  // kills after more than the first commit

  for (int iteration = 0; iteration < ECS_CRASH_ITERATIONS; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    uint64_t reported = 0;
    uint64_t first_reported = 0;
    {
      EnclaveSession child(enclave, qe.socket());
      child.Send("open " + dir);
      child.Send("load");
      child.Send("commit-loop");
      while (first_reported == 0) {
        std::optional<std::string> line = child.ReadLine(20000);
        ASSERT_TRUE(line.has_value()) << "the committing enclave stopped reporting";
        ASSERT_EQ(line->rfind("error", 0), std::string::npos) << *line;
        if (line->rfind("committed ", 0) == 0) first_reported = std::stoull(line->substr(10));
      }
      reported = first_reported;
      const auto kill_at = std::chrono::steady_clock::now() + std::chrono::microseconds(delay_us(rng));
      // Read its reports until the kill time, then kill and drain what it wrote before dying.
      for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(kill_at - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        std::optional<std::string> line = child.ReadLine(static_cast<int>(left.count()));
        if (!line.has_value()) break;
        if (line->rfind("committed ", 0) == 0) reported = std::stoull(line->substr(10));
        ASSERT_EQ(line->rfind("error", 0), std::string::npos) << *line;
      }
      child.Kill();
      while (std::optional<std::string> line = child.ReadLine(1000)) {
        if (line->rfind("committed ", 0) == 0) reported = std::stoull(line->substr(10));
        ASSERT_EQ(line->rfind("error", 0), std::string::npos) << *line;
      }
    }
    if (reported > first_reported) ++kills_after_a_commit;

    ASSERT_TRUE(verifier.Call("open " + dir).ok);
    Reply loaded = verifier.Call("load");
    ASSERT_TRUE(loaded.ok) << loaded.ToString();
    uint64_t version = 0;
    if (loaded.message != "none") {
      version = loaded.state["version"].get<uint64_t>();
      ASSERT_EQ(loaded.state["model_keys"].size(), version);
      for (uint64_t v = 1; v <= version; ++v) {
        ASSERT_TRUE(loaded.state["model_keys"].contains("model-" + std::to_string(v)));
      }
      // The audit journal is appended before state.s3ml is written: a kill between the two
      // leaves the entry of a commit that never completed (and was never reported), and the
      // retried commit appends its entry again. So the entries' versions climb by 0 or 1 from
      // 1, every committed version has its entry, and at most the next one follows.
      const auto& entries = loaded.state["audit"]["entries"];
      ASSERT_GE(entries.size(), version);
      uint64_t previous = 0;
      for (const auto& entry : entries) {
        const uint64_t v = entry["detail"]["version"].get<uint64_t>();
        ASSERT_TRUE(v == previous || v == previous + 1) << v << " after " << previous;
        previous = v;
      }
      ASSERT_TRUE(previous == version || previous == version + 1) << previous << " vs version " << version;
    }
    ASSERT_GE(version, std::max(durable, reported));
    ASSERT_LE(version, std::max(durable, reported) + 1);
    durable = version;
    ASSERT_TRUE(verifier.Call("close").ok);
  }
  // The kills must have hit a process in the middle of its commits, not only right after the first.
  EXPECT_GT(kills_after_a_commit, ECS_CRASH_ITERATIONS / 4);
  EXPECT_GT(durable, 0u);
  std::printf("crash test: %d kills, %d after at least one reported commit, final version %llu\n",
              ECS_CRASH_ITERATIONS, kills_after_a_commit, static_cast<unsigned long long>(durable));
}

}  // namespace
}  // namespace s3ml::ecs
