#include "tests/e2e/e2e_cluster.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cluster/bench_cluster.h"
#include "cluster/executable_lookup.h"
#include "core/file.h"

namespace s3ml::e2e {
namespace fs = std::filesystem;

CommandResult RunCommand(const std::vector<std::string>& argv, int timeout_seconds) {
  auto run = cluster::RunProgram(argv, std::chrono::seconds(timeout_seconds));
  if (!run.ok()) return {-1, run.status().ToString()};
  std::string output = std::move(run->output);
  if (run->timed_out) output += "\n[killed after " + std::to_string(timeout_seconds) + " s]";
  return {run->exit_code, std::move(output)};
}

CommandResult RunCommandInOwnGroup(const std::vector<std::string>& argv, const std::string& pgid_file,
                                   int timeout_seconds) {
  std::vector<std::string> grouped = {"/usr/bin/setsid", "/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", pgid_file};
  grouped.insert(grouped.end(), argv.begin(), argv.end());
  return RunCommand(grouped, timeout_seconds);
}

std::string BinDir() { return std::string(S3ML_BINARY_DIR) + "/bin"; }
std::string TestdataDir() { return std::string(S3ML_TESTDATA_DIR) + "/models/coral"; }

std::string MissingPrerequisite() {
  for (const char* name : {"s3ml", "s3ml-ecs", "s3ml-server"}) {
    if (!cluster::ExecutableIn(BinDir(), name).ok()) return BinDir() + "/" + name;
  }
  for (const char* name : {"haproxy", "curl"}) {
    if (!cluster::FindExecutable(name).ok()) return name;
  }
  return "";
}

E2eCluster::E2eCluster(std::string dir, cluster::ClusterRecord record, OrphanGuard guard)
    : dir_(dir),
      guard_(std::move(guard)),
      layout_(dir),
      record_(std::move(record)),
      supervisor_(dir),
      haproxy_(layout_.haproxy_socket()) {}

Result<std::unique_ptr<E2eCluster>> E2eCluster::Start(int servers, const std::vector<std::string>& extra_args) {
  char pattern[] = "/tmp/s3ml-e2e-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) return Internal("mkdtemp");
  const std::string dir = pattern;
  // Armed before `s3ml up`, which a kill could also interrupt half-way: the guard first kills
  // `s3ml up` and what it runs, so that nothing starts after its `s3ml down`.
  const std::string pgid_file = dir + ".pgid";
  const char* stop_script =
      "pgid=$(cat \"$1.pgid\" 2>/dev/null) && kill -s KILL -- \"-$pgid\"; rm -f -- \"$1.pgid\"; "
      "\"$0\" down --state-dir \"$1\" --grace 2; [ -n \"$S3ML_E2E_KEEP\" ] || rm -rf -- \"$1\"";
  auto guard = OrphanGuard::Arm({"/bin/sh", "-c", stop_script, BinDir() + "/s3ml", dir});
  if (!guard.ok()) return guard.status();
  auto abandon = [&dir](Status why) {
    RunCommand({BinDir() + "/s3ml", "down", "--state-dir", dir, "--grace", "2"});
    std::error_code ec;
    fs::remove_all(dir, ec);
    return why;
  };
  std::vector<std::string> argv = {BinDir() + "/s3ml", "up", "--state-dir", dir, "--servers", std::to_string(servers),
                                   "--base-port", "0", "--timeout", "90"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  CommandResult up = RunCommandInOwnGroup(argv, pgid_file, 120);
  std::error_code ec;
  fs::remove(pgid_file, ec);  // the group is gone with `s3ml up`; its daemons have their own sessions
  if (up.exit_code != 0) {
    return abandon(Unavailable("s3ml up failed (exit " + std::to_string(up.exit_code) + "):\n" + up.output));
  }
  auto record = cluster::LoadClusterRecord(cluster::ClusterLayout(dir));
  if (!record.ok()) return abandon(record.status());
  std::unique_ptr<E2eCluster> c(new E2eCluster(dir, std::move(record).value(), std::move(guard).value()));
  c->up_output_ = up.output;
  return c;
}

CommandResult E2eCluster::Down() { return RunCommand({BinDir() + "/s3ml", "down", "--state-dir", dir_, "--grace", "5"}); }

E2eCluster::~E2eCluster() {
  RunCommand({BinDir() + "/s3ml", "down", "--state-dir", dir_, "--grace", "5"});
  std::error_code ec;
  if (std::getenv("S3ML_E2E_KEEP") == nullptr) fs::remove_all(dir_, ec);
}

std::string E2eCluster::service_url() const { return "https://localhost:" + std::to_string(record_.service_port); }

int E2eCluster::Curl(const std::string& method, const std::string& path, const std::string& body_file,
                     std::string* body) const {
  const std::string out_file = dir_ + "/curl-out";
  std::vector<std::string> argv = {cluster::FindExecutable("curl").value(), "-sS", "--max-time", "30",
                                   "--cacert", root_ca(), "-o", out_file, "-w", "%{http_code}", "-X", method};
  if (!body_file.empty()) {
    argv.insert(argv.end(), {"-H", "Content-Type: application/json", "--data-binary", "@" + body_file});
  }
  argv.push_back(service_url() + path);
  CommandResult r = RunCommand(argv, 60);
  if (body != nullptr) {
    auto text = ReadFileText(out_file, 64u << 20);
    *body = text.ok() ? *text : r.output;
  }
  // -w prints the code last on stdout; stderr (errors) may come first.
  const std::string& o = r.output;
  if (o.size() < 3) return 0;
  const std::string code = o.substr(o.size() - 3);
  return std::atoi(code.c_str());
}

}  // namespace s3ml::e2e
