// End to end: `s3ml up --hosts 2` emulates two SGX hosts, each its own simulated EPC with an
// s3ml-epcd, and spreads two servers over them with EPC-aware HAProxy agents. A noisy neighbour
// (`s3ml sim noise`) that keeps more memory busy than one host's EPC holds makes that host page;
// the servers there must lose HAProxy weight (or drain) while the other host's keep 100, and the
// service keeps answering. `s3ml down` must leave none of the cluster's EPC segments in /dev/shm.
//
// Thresholds: --epc-low 500 and --epc-critical 50000 pages/s, so a paging host (~15,000 pages/s
// measured here) lands on the linear part of the weight curve (a faster machine may drain it, which
// also counts), an idle one (0) stays at full weight. Once the neighbour stops, full weight returns.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "cluster/emulated_hosts.h"
#include "cluster/executable_lookup.h"
#include "core/file.h"
#include "tests/e2e/e2e_cluster.h"

namespace s3ml::e2e {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr int kEpcMib = 48;
constexpr int kNoiseMib = 64;  // more than the host's EPC: it keeps paging as long as it runs

std::string ReadOrEmpty(const std::string& path) {
  auto text = ReadFileText(path, 1 << 20);
  return text.ok() ? *text : std::string();
}

// A background child (the noisy neighbour), SIGTERMed and reaped when this goes.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log) {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ~Child() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

std::map<std::string, cluster::HaproxyServerState> StatesByName(E2eCluster& c) {
  std::map<std::string, cluster::HaproxyServerState> out;
  auto states = c.haproxy().ServersState(c.record().backend);
  if (states.ok())
    for (const auto& s : *states) out[s.name] = s;
  return out;
}

// Lowered means the agent answered from a paging host: weight below 100, or drained.
bool Lowered(const cluster::HaproxyServerState& s) { return s.weight < 100 || s.draining(); }

TEST(HostsE2eTest, ServersSpreadOverTwoHostsAndANoisyNeighbourLowersOnlyItsHostsWeights) {
  const std::string missing = MissingPrerequisite();
  ASSERT_EQ(missing, "") << "not built or not installed: " << missing;
  ASSERT_TRUE(cluster::ExecutableIn(BinDir(), "s3ml-epcd").ok()) << "s3ml-epcd is not built";
  auto started = E2eCluster::Start(2, {"--hosts", "2", "--epc-mib", std::to_string(kEpcMib), "--epc-low", "500",
                                       "--epc-critical", "50000"});
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  E2eCluster& c = **started;
  const auto& record = c.record();

  // Two hosts named after this state directory, one server on each, one exporter per host.
  ASSERT_EQ(record.hosts.size(), 2u);
  const auto names = cluster::EmulatedHostNames(c.dir(), 2).value();
  EXPECT_EQ(record.hosts[0].name, names[0]);
  EXPECT_EQ(record.hosts[1].name, names[1]);
  for (const auto& h : record.hosts) {
    ASSERT_EQ(record.ServersOn(h.name).size(), 1u) << h.name;
    EXPECT_TRUE(fs::exists("/dev/shm/s3ml-epc-" + h.name)) << h.name;
    const auto* exporter = record.Find(h.exporter);
    ASSERT_NE(exporter, nullptr) << h.exporter;
    // Each exporter answers with its own host's series.
    const std::string out = c.dir() + "/metrics-" + h.name;
    CommandResult m = RunCommand({cluster::FindExecutable("curl").value(), "-sS", "--max-time", "10", "-o", out,
                                  "http://127.0.0.1:" + std::to_string(exporter->port) + "/metrics"});
    ASSERT_EQ(m.exit_code, 0) << m.output;
    const std::string text = ReadOrEmpty(out);
    EXPECT_NE(text.find("s3ml_epc_capacity_bytes{host=\"" + h.name + "\"} " + std::to_string(kEpcMib * 1024 * 1024)),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("s3ml_epc_pages_evicted_total{host=\"" + h.name + "\""), std::string::npos) << text;
    const std::string other = h.name == names[0] ? names[1] : names[0];
    EXPECT_EQ(text.find(other), std::string::npos) << text;
  }
  const std::string noisy_server = record.ServersOn(names[0])[0]->name;
  const std::string quiet_server = record.ServersOn(names[1])[0]->name;
  for (const auto& [name, s] : StatesByName(c)) EXPECT_EQ(s.weight, 100) << name << " before any noise";

  // The noisy neighbour on host 0.
  {
    Child noise({BinDir() + "/s3ml", "sim", "noise", "--host", names[0], "--mib", std::to_string(kNoiseMib),
                 "--seconds", "30"},
                c.dir() + "/noise.log");
    ASSERT_TRUE(noise.started());
    bool lowered = false;
    std::map<std::string, cluster::HaproxyServerState> states;
    const auto deadline = std::chrono::steady_clock::now() + 12s;
    while (!lowered && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(200ms);
      states = StatesByName(c);
      lowered = states.count(noisy_server) != 0 && Lowered(states[noisy_server]);
    }
    ASSERT_TRUE(lowered) << noisy_server << " weight " << states[noisy_server].weight << "; noise log:\n"
                         << ReadOrEmpty(c.dir() + "/noise.log");
    ASSERT_EQ(states.count(quiet_server), 1u);
    EXPECT_EQ(states[quiet_server].weight, 100);
    EXPECT_FALSE(states[quiet_server].draining());

    // `s3ml status` shows both hosts, their servers and weights, and host 0 paging.
    CommandResult status = RunCommand({BinDir() + "/s3ml", "status", "--state-dir", c.dir()});
    EXPECT_NE(status.output.find(names[0]), std::string::npos) << status.output;
    EXPECT_NE(status.output.find(names[1]), std::string::npos) << status.output;
    EXPECT_NE(status.output.find(quiet_server + " (100)"), std::string::npos) << status.output;
    EXPECT_NE(status.output.find("pages/s"), std::string::npos) << status.output;

    // The service still answers through HAProxy.
    std::string body;
    for (int i = 0; i < 4; ++i) EXPECT_EQ(c.Curl("GET", "/v2/models/mobilenet_v2", "", &body), 200) << body;
    std::printf("measured: noisy host %s: %s weight %d%s; quiet host %s: %s weight %d\n%s", names[0].c_str(),
                noisy_server.c_str(), states[noisy_server].weight, states[noisy_server].draining() ? " (drain)" : "",
                names[1].c_str(), quiet_server.c_str(), states[quiet_server].weight, status.output.c_str());
  }

  // The neighbour has gone: the host stops paging and its server gets full weight back.
  bool restored = false;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!restored && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
    auto states = StatesByName(c);
    restored = states.count(noisy_server) != 0 && !Lowered(states[noisy_server]);
  }
  EXPECT_TRUE(restored) << noisy_server << " did not get its weight back after the noise stopped";

  CommandResult down = c.Down();
  EXPECT_EQ(down.exit_code, 0) << down.output;
  for (const auto& n : names) EXPECT_FALSE(fs::exists("/dev/shm/s3ml-epc-" + n)) << n << " left behind";
}

TEST(HostsE2eTest, BadHostFlagsAreRefusedBeforeAnythingStarts) {
  char pattern[] = "/tmp/s3ml-e2e-flags-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--hosts", "17"}, {"--hosts", "-1"}, {"--hosts", "2", "--epc-mib", "0"},
        {"--hosts", "2", "--epc-low", "5000", "--epc-critical", "100"}}) {
    std::vector<std::string> argv = {BinDir() + "/s3ml", "up", "--state-dir", dir, "--base-port", "0"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    CommandResult r = RunCommand(argv, 30);
    EXPECT_EQ(r.exit_code, 2) << flags[1] << ": " << r.output;
    EXPECT_FALSE(fs::exists(dir + "/cluster.json")) << r.output;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace s3ml::e2e
