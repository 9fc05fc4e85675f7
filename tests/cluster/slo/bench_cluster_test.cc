// The benchmark's subprocess plumbing (cluster/bench_cluster.h): RunProgram with /bin/sh, and
// BenchCluster / NoiseProcess against stand-in shell scripts that replace the real `s3ml` (they
// record their arguments, write a cluster record for `up`, and print `sim noise`'s ready line),
// so no enclave, ECS or HAProxy is started here.
#include "cluster/bench_cluster.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "cluster/process_supervisor.h"
#include "core/clock.h"
#include "core/file.h"
#include "tests/cluster/cluster_test_util.h"

namespace s3ml::cluster {
namespace {

using namespace std::chrono_literals;

using testing::TempDir;

void Write(const std::string& path, const std::string& text, unsigned mode = 0644) {
  ASSERT_TRUE(WriteFileAtomic(path, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, mode).ok()) << path;
}

std::string Read(const std::string& path) {
  auto text = ReadFileText(path);
  return text.ok() ? *text : "";
}

double SecondsSince(uint64_t start) { return static_cast<double>(MonotonicNanos() - start) / 1e9; }

TEST(RunProgramTest, CapturesOutputAndExitCode) {
  auto run = RunProgram({"/bin/sh", "-c", "echo to-out; echo to-err >&2; exit 7"}, 10s);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->exit_code, 7);
  EXPECT_FALSE(run->timed_out);
  EXPECT_NE(run->output.find("to-out"), std::string::npos);
  EXPECT_NE(run->output.find("to-err"), std::string::npos);
}

TEST(RunProgramTest, StdinIsEmpty) {
  auto run = RunProgram({"/bin/sh", "-c", "cat; echo done"}, 10s);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->exit_code, 0);
  EXPECT_EQ(run->output, "done\n");
}

TEST(RunProgramTest, KillsAfterTheTimeout) {
  const uint64_t start = MonotonicNanos();
  auto run = RunProgram({"/bin/sh", "-c", "echo begun; exec sleep 30"}, 300ms);
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->timed_out);
  EXPECT_EQ(run->exit_code, -1);
  EXPECT_NE(run->output.find("begun"), std::string::npos);
  EXPECT_LT(SecondsSince(start), 5);
}

TEST(RunProgramTest, DoesNotWaitForADaemonHoldingTheOutput) {
  // `s3ml up` leaves daemons behind; one that kept our pipe open must not make us wait for it.
  const uint64_t start = MonotonicNanos();
  auto run = RunProgram({"/bin/sh", "-c", "sleep 5 & echo started"}, 20s);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->exit_code, 0);
  EXPECT_NE(run->output.find("started"), std::string::npos);
  EXPECT_LT(SecondsSince(start), 4);
}

TEST(RunProgramTest, MissingProgramIsAnError) {
  EXPECT_EQ(RunProgram({"/nonexistent/s3ml"}, 1s).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(RunProgram({}, 1s).status().code(), StatusCode::kInvalidArgument);
}

// A stand-in for `s3ml`: logs each call's arguments; `up` copies a prepared record into the state
// directory (argv: up --state-dir DIR ...) unless told to fail.
std::string FakeS3ml(const TempDir& dir, const std::string& record_path, bool fail_up = false) {
  const std::string path = dir.path() + "/s3ml";
  std::string script = "#!/bin/sh\necho \"$*\" >> " + dir.path() + "/calls.log\n";
  script += "case \"$1\" in\n";
  if (fail_up)
    script += "  up) echo 'starting...'; echo 'haproxy not found' >&2; exit 3;;\n";
  else
    script += "  up) cp " + record_path + " \"$3/cluster.json\"; echo 's3ml cluster up'; exit 0;;\n";
  script += "  down) echo stopped; exit 0;;\n";
  script += "  sim) echo \"noise enclave pid $$ args: $*\"; exec sleep 30;;\n";
  script += "esac\nexit 9\n";
  Write(path, script, 0755);
  return path;
}

ClusterRecord SampleRecord() {
  ClusterRecord r;
  r.host = "127.0.0.1";
  r.service_port = 9000;
  r.ecs_port = 9001;
  r.ecs_mrsigner = std::string(64, 'a');
  r.models = {"m"};
  ComponentRecord server;
  server.name = "server-1";
  server.kind = "server";
  server.argv = {"/bin/true"};
  server.port = 9002;
  server.epc_host = "h0";
  r.components = {server};
  r.hosts = {{"h0", 4, "epcd-0"}};
  return r;
}

TEST(BenchClusterTest, UpArgvCarriesTheOptions) {
  TempDir dir;
  BenchClusterOptions o;
  o.s3ml = FakeS3ml(dir, "/dev/null");
  o.state_dir = "/tmp/state";
  o.servers = 3;
  o.hosts = 1;
  o.epc_mib = 12.5;
  o.models_dir = "/models";
  o.extra_flags = {"--epc-low", "500"};
  auto argv = BenchClusterUpArgv(o);
  ASSERT_TRUE(argv.ok()) << argv.status().ToString();
  const std::vector<std::string> expected = {o.s3ml, "up", "--state-dir", "/tmp/state", "--base-port", "0",
                                             "--servers", "3", "--timeout", "240", "--hosts", "1", "--epc-mib",
                                             "12.5", "--models", "/models", "--epc-low", "500"};
  EXPECT_EQ(*argv, expected);
  o.hosts = 0;
  o.models_dir.clear();
  o.extra_flags.clear();
  argv = BenchClusterUpArgv(o);
  ASSERT_TRUE(argv.ok());
  EXPECT_EQ(argv->size(), 10u);  // no --hosts/--epc-mib without hosts
}

TEST(BenchClusterTest, UpArgvRejectsBadOptions) {
  TempDir dir;
  BenchClusterOptions o;
  o.s3ml = FakeS3ml(dir, "/dev/null");
  o.state_dir = "";
  EXPECT_EQ(BenchClusterUpArgv(o).status().code(), StatusCode::kInvalidArgument);
  o.state_dir = "/tmp/x";
  o.servers = 0;
  EXPECT_EQ(BenchClusterUpArgv(o).status().code(), StatusCode::kInvalidArgument);
  o.servers = 1;
  o.epc_mib = 0;
  EXPECT_EQ(BenchClusterUpArgv(o).status().code(), StatusCode::kInvalidArgument);
  o.epc_mib = 4;
  o.s3ml = dir.path() + "/missing";
  EXPECT_EQ(BenchClusterUpArgv(o).status().code(), StatusCode::kNotFound);
}

TEST(BenchClusterTest, StartLoadsTheRecordAndStopRunsDownOnce) {
  TempDir dir;
  const std::string record_path = dir.path() + "/record.json";
  Write(record_path, SerializeClusterRecord(SampleRecord()));
  BenchClusterOptions o;
  o.s3ml = FakeS3ml(dir, record_path);
  o.state_dir = dir.path() + "/state";
  auto cluster = BenchCluster::Start(o);
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  EXPECT_EQ((*cluster)->record().service_port, 9000);
  EXPECT_EQ((*cluster)->layout().root, o.state_dir);
  auto url = (*cluster)->ServerUrl("server-1");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url, "https://127.0.0.1:9002");
  EXPECT_EQ((*cluster)->ServerUrl("server-2").status().code(), StatusCode::kNotFound);
  EXPECT_NE(Read(o.state_dir + "/bench-up.log").find("s3ml cluster up"), std::string::npos);
  EXPECT_TRUE((*cluster)->Stop().ok());
  EXPECT_TRUE((*cluster)->Stop().ok());
  cluster->reset();  // the destructor must not run `down` again
  EXPECT_EQ(Read(dir.path() + "/calls.log"),
            "up --state-dir " + o.state_dir + " --base-port 0 --servers 1 --timeout 240 --hosts 1 --epc-mib 93.5\n"
            "down --state-dir " + o.state_dir + "\n");
}

TEST(BenchClusterTest, DestructorRunsDown) {
  TempDir dir;
  const std::string record_path = dir.path() + "/record.json";
  Write(record_path, SerializeClusterRecord(SampleRecord()));
  BenchClusterOptions o;
  o.s3ml = FakeS3ml(dir, record_path);
  o.state_dir = dir.path() + "/state";
  {
    auto cluster = BenchCluster::Start(o);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  }
  EXPECT_NE(Read(dir.path() + "/calls.log").find("down --state-dir"), std::string::npos);
}

TEST(BenchClusterTest, FailedUpReportsItsOutput) {
  TempDir dir;
  BenchClusterOptions o;
  o.s3ml = FakeS3ml(dir, "/dev/null", /*fail_up=*/true);
  o.state_dir = dir.path() + "/state";
  auto cluster = BenchCluster::Start(o);
  ASSERT_FALSE(cluster.ok());
  EXPECT_EQ(cluster.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(cluster.status().message().find("haproxy not found"), std::string::npos) << cluster.status().message();
}

TEST(BenchClusterTest, UpWithoutARecordIsAnErrorAndStopsWhatItStarted) {
  TempDir dir;
  BenchClusterOptions o;
  o.s3ml = FakeS3ml(dir, dir.path() + "/no-such-record.json");  // cp fails, the script still exits 0
  o.state_dir = dir.path() + "/state";
  auto cluster = BenchCluster::Start(o);
  ASSERT_FALSE(cluster.ok());
  EXPECT_EQ(cluster.status().code(), StatusCode::kNotFound) << cluster.status().ToString();
  EXPECT_NE(Read(dir.path() + "/calls.log").find("down --state-dir"), std::string::npos);
}

TEST(NoiseProcessTest, StartsPacedNoiseUnderTheSupervisorAndStopsIt) {
  TempDir dir;
  NoiseOptions o;
  o.s3ml = FakeS3ml(dir, "/dev/null");
  o.state_dir = dir.path() + "/state";
  o.host = "h0";
  o.mib = 2.2;
  o.pages_per_second = 500;
  auto noise = NoiseProcess::Start(o);
  ASSERT_TRUE(noise.ok()) << noise.status().ToString();
  ProcessSupervisor supervisor(o.state_dir);
  EXPECT_TRUE(supervisor.Inspect("noise").alive);
  EXPECT_NE(Read(supervisor.LogPath("noise")).find("args: sim noise --host h0 --mib 2.2 --pages-per-s 500"),
            std::string::npos)
      << Read(supervisor.LogPath("noise"));
  EXPECT_TRUE((*noise)->Stop().ok());
  EXPECT_FALSE(supervisor.Inspect("noise").alive);
}

TEST(NoiseProcessTest, NoiseThatNeverGetsReadyIsAnError) {
  TempDir dir;
  const std::string script = dir.path() + "/s3ml";
  Write(script, "#!/bin/sh\necho 'attach EPC host h0: not found' >&2\nexit 1\n", 0755);
  NoiseOptions o;
  o.s3ml = script;
  o.state_dir = dir.path() + "/state";
  o.host = "h0";
  o.mib = 1;
  o.ready_timeout = 10s;
  auto noise = NoiseProcess::Start(o);
  ASSERT_FALSE(noise.ok());
  EXPECT_NE(noise.status().message().find("not found"), std::string::npos) << noise.status().message();
}

TEST(NoiseProcessTest, RejectsBadOptions) {
  NoiseOptions o;
  o.s3ml = "/bin/true";
  o.state_dir = "/tmp/x";
  o.host = "h0";
  o.mib = 0;
  EXPECT_EQ(NoiseProcess::Start(o).status().code(), StatusCode::kInvalidArgument);
  o.mib = 1;
  o.pages_per_second = -1;
  EXPECT_EQ(NoiseProcess::Start(o).status().code(), StatusCode::kInvalidArgument);
  o.pages_per_second = 0;
  o.host = "";
  EXPECT_EQ(NoiseProcess::Start(o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace s3ml::cluster
