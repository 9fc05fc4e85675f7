// End to end: `s3ml up --hosts 2 --autoscale epc` starts the autoscaler (`s3ml autoscale`) with a
// fast sync period. A noisy neighbour on the one server's host drives that host's paging rate
// far over the target per replica, so the autoscaler starts a second server, on the other (quiet)
// host, which provisions from the ECS and joins HAProxy; the service keeps answering. Once the
// neighbour stops and the scale-down window passes, it drains, removes and stops one server.
// `s3ml down` stops the added server too.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "cluster/executable_lookup.h"
#include "core/file.h"
#include "tests/e2e/e2e_cluster.h"

namespace s3ml::e2e {
namespace {

using namespace std::chrono_literals;

std::string ReadOrEmpty(const std::string& path) {
  auto text = ReadFileText(path, 1 << 20);
  return text.ok() ? *text : std::string();
}

// The cluster's servers as the autoscaler last recorded them.
std::vector<cluster::ComponentRecord> RecordedServers(const E2eCluster& c) {
  std::vector<cluster::ComponentRecord> out;
  auto record = cluster::LoadClusterRecord(c.layout());
  if (record.ok())
    for (const auto* s : record->Servers()) out.push_back(*s);
  return out;
}

bool HaproxyHasUp(E2eCluster& c, const std::string& name) {
  auto states = c.haproxy().ServersState(c.record().backend);
  if (!states.ok()) return false;
  for (const auto& s : *states)
    if (s.name == name) return s.up() && !s.in_maintenance();
  return false;
}

template <typename Predicate>
bool WaitFor(std::chrono::seconds timeout, Predicate done) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(200ms);
  }
  return done();
}

TEST(AutoscaleE2eTest, NoisyNeighbourScalesOutToTheQuietHostAndBackIn) {
  const std::string missing = MissingPrerequisite();
  ASSERT_EQ(missing, "") << "not built or not installed: " << missing;
  ASSERT_TRUE(cluster::ExecutableIn(BinDir(), "s3ml-epcd").ok()) << "s3ml-epcd is not built";
  auto started = E2eCluster::Start(1, {"--hosts", "2", "--epc-mib", "48", "--epc-low", "500", "--epc-critical",
                                       "1000000", "--autoscale", "epc", "--min-servers", "1", "--max-servers", "2",
                                       "--scale-target", "300", "--scale-period", "0.5", "--scale-down-window", "3"});
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  E2eCluster& c = **started;
  const auto& record = c.record();
  ASSERT_NE(record.Find("autoscaler"), nullptr);
  ASSERT_EQ(record.Servers().size(), 1u);
  const std::string first = record.Servers()[0]->name;
  const std::string noisy_host = record.Servers()[0]->epc_host;
  const std::string quiet_host = record.hosts[0].name == noisy_host ? record.hosts[1].name : record.hosts[0].name;
  const std::string autoscaler_log = c.layout().logs() + "/autoscaler.log";

  std::string added;
  {
    const pid_t noise = ::fork();
    if (noise == 0) {
      const int fd = ::open((c.dir() + "/noise.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::execl((BinDir() + "/s3ml").c_str(), "s3ml", "sim", "noise", "--host", noisy_host.c_str(), "--mib", "64",
              "--pages-per-s", "3000", "--seconds", "40", nullptr);
      ::_exit(127);
    }
    ASSERT_GT(noise, 0);
    const bool scaled_out = WaitFor(30s, [&] {
      for (const auto& s : RecordedServers(c))
        if (s.name != first) added = s.name;
      return !added.empty() && HaproxyHasUp(c, added);
    });
    ::kill(noise, SIGTERM);
    int status = 0;
    ::waitpid(noise, &status, 0);
    ASSERT_TRUE(scaled_out) << "no second server joined; autoscaler log:\n" << ReadOrEmpty(autoscaler_log);
  }
  const auto servers = RecordedServers(c);
  ASSERT_EQ(servers.size(), 2u);
  for (const auto& s : servers) {
    if (s.name == added) {
      EXPECT_EQ(s.epc_host, quiet_host) << "placed on the paging host";
    }
  }
  std::string body;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(c.Curl("GET", "/v2/models/mobilenet_v2", "", &body), 200) << body;
  const std::string log = ReadOrEmpty(autoscaler_log);
  EXPECT_NE(log.find("starting " + added + " on host " + quiet_host), std::string::npos) << log;

  // Quiet again: after the 3 s window the autoscaler goes back to one server and stops the other.
  std::string removed;
  const bool scaled_in = WaitFor(40s, [&] {
    const auto now = RecordedServers(c);
    if (now.size() != 1) return false;
    removed = now[0].name == first ? added : first;
    return true;
  });
  ASSERT_TRUE(scaled_in) << ReadOrEmpty(autoscaler_log);
  EXPECT_FALSE(c.supervisor().Inspect(removed).alive) << removed << " still running";
  EXPECT_TRUE(WaitFor(5s, [&] {
    auto states = c.haproxy().ServersState(c.record().backend);
    return states.ok() && states->size() == 1;
  })) << removed << " still in HAProxy";

  CommandResult down = c.Down();
  EXPECT_EQ(down.exit_code, 0) << down.output;
  for (const auto& name : c.supervisor().Tracked()) EXPECT_FALSE(c.supervisor().Inspect(name).alive) << name;
}

TEST(AutoscaleE2eTest, AutoscaleFlagsAreCheckedBeforeAnythingStarts) {
  char pattern[] = "/tmp/s3ml-e2e-autoscale-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  const std::vector<std::vector<std::string>> bad = {
      {"--autoscale", "epc"},                                  // needs --hosts
      {"--hosts", "2", "--autoscale", "memory"},               // unknown metric
      {"--hosts", "2", "--agent-policy", "fastest"},           // unknown agent policy
      {"--agent-policy", "epc"},                               // epc weights need hosts
      {"--hosts", "2", "--agent-interval-ms", "5"},            // too fast
  };
  for (const auto& flags : bad) {
    std::vector<std::string> argv = {BinDir() + "/s3ml", "up", "--state-dir", dir, "--base-port", "0"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    CommandResult r = RunCommand(argv, 30);
    EXPECT_EQ(r.exit_code, 2) << flags[flags.size() - 1] << ": " << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir + "/cluster.json"));
  }
  // `s3ml autoscale` on a directory without a cluster says so.
  CommandResult r = RunCommand({BinDir() + "/s3ml", "autoscale", "--state-dir", dir}, 30);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("no cluster"), std::string::npos) << r.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace s3ml::e2e
