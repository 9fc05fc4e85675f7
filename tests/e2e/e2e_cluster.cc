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

#include "cluster/executable_lookup.h"
#include "core/file.h"

namespace s3ml::e2e {
namespace fs = std::filesystem;

CommandResult RunCommand(const std::vector<std::string>& argv, int timeout_seconds) {
  CommandResult result;
  int out[2];
  if (argv.empty() || ::pipe2(out, O_CLOEXEC) != 0) return result;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      result.output += "\n[killed after " + std::to_string(timeout_seconds) + " s]";
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t n = ::read(out[0], buf, sizeof(buf));
    if (n <= 0) break;
    result.output.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
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

E2eCluster::E2eCluster(std::string dir, cluster::ClusterRecord record)
    : dir_(dir), layout_(dir), record_(std::move(record)), supervisor_(dir), haproxy_(layout_.haproxy_socket()) {}

Result<std::unique_ptr<E2eCluster>> E2eCluster::Start(int servers, const std::vector<std::string>& extra_args) {
  char pattern[] = "/tmp/s3ml-e2e-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) return Internal("mkdtemp");
  const std::string dir = pattern;
  std::vector<std::string> argv = {BinDir() + "/s3ml", "up", "--state-dir", dir, "--servers", std::to_string(servers),
                                   "--base-port", "0", "--timeout", "90"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  CommandResult up = RunCommand(argv, 120);
  if (up.exit_code != 0) {
    RunCommand({BinDir() + "/s3ml", "down", "--state-dir", dir, "--grace", "2"});
    std::error_code ec;
    fs::remove_all(dir, ec);
    return Unavailable("s3ml up failed (exit " + std::to_string(up.exit_code) + "):\n" + up.output);
  }
  auto record = cluster::LoadClusterRecord(cluster::ClusterLayout(dir));
  if (!record.ok()) return record.status();
  std::unique_ptr<E2eCluster> c(new E2eCluster(dir, std::move(record).value()));
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
