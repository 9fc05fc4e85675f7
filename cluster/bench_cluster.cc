#include "cluster/bench_cluster.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "cluster/executable_lookup.h"
#include "cluster/process_supervisor.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/unique_fd.h"

extern char** environ;

namespace s3ml::cluster {
namespace {

constexpr size_t kMaxOutput = 64 * 1024;
// `sim noise` prints this once its memory is allocated on the host (apps/s3ml/noise_command.cc).
constexpr char kNoiseReadyLine[] = "noise enclave pid";

std::string Format(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.10g", v);
  return buf;
}

Result<std::string> ResolveS3ml(const std::string& configured) {
  if (!configured.empty()) {
    if (::access(configured.c_str(), X_OK) != 0) return NotFound(configured + " is not an executable s3ml");
    return configured;
  }
  S3ML_ASSIGN_OR_RETURN(std::string dir, SelfDirectory());
  return ExecutableIn(dir, "s3ml");
}

std::string Tail(const std::string& text, size_t max_bytes = 2048) {
  return text.size() <= max_bytes ? text : "..." + text.substr(text.size() - max_bytes);
}

}  // namespace

Result<ProgramRun> RunProgram(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  if (argv.empty() || argv[0].empty()) return InvalidArgument("RunProgram: empty command");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Internal(std::string("pipe: ") + std::strerror(errno));
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return NotFound("cannot run " + argv[0] + ": " + std::strerror(rc));
  write_end.Reset();

  // Read until the program exits (not until EOF: a daemon it started may keep the pipe open).
  ProgramRun run;
  const uint64_t deadline = MonotonicNanos() + static_cast<uint64_t>(timeout.count()) * 1000000ull;
  ::fcntl(read_end.get(), F_SETFL, ::fcntl(read_end.get(), F_GETFL) | O_NONBLOCK);
  char buf[4096];
  auto drain = [&] {
    for (;;) {
      const ssize_t n = ::read(read_end.get(), buf, sizeof(buf));
      if (n <= 0) return;
      run.output.append(buf, static_cast<size_t>(n));
      if (run.output.size() > 2 * kMaxOutput) run.output.erase(0, run.output.size() - kMaxOutput);
    }
  };
  int status = 0;
  for (;;) {
    pollfd p{read_end.get(), POLLIN, 0};
    (void)::poll(&p, 1, 100);
    drain();
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return Internal(std::string("waitpid: ") + std::strerror(errno));
    if (MonotonicNanos() >= deadline) {
      ::kill(pid, SIGKILL);
      (void)::waitpid(pid, &status, 0);
      run.timed_out = true;
      break;
    }
  }
  drain();
  if (run.output.size() > kMaxOutput) run.output.erase(0, run.output.size() - kMaxOutput);
  run.exit_code = (!run.timed_out && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  return run;
}

Result<std::vector<std::string>> BenchClusterUpArgv(const BenchClusterOptions& o) {
  if (o.state_dir.empty()) return InvalidArgument("bench cluster: no state directory");
  if (o.servers < 1) return InvalidArgument("bench cluster: servers must be >= 1, got " + std::to_string(o.servers));
  if (o.hosts < 0) return InvalidArgument("bench cluster: hosts must be >= 0, got " + std::to_string(o.hosts));
  if (!(std::isfinite(o.epc_mib) && o.epc_mib > 0))
    return InvalidArgument("bench cluster: EPC capacity must be > 0 MiB, got " + Format(o.epc_mib));
  S3ML_ASSIGN_OR_RETURN(std::string s3ml, ResolveS3ml(o.s3ml));
  std::vector<std::string> argv = {s3ml, "up", "--state-dir", o.state_dir, "--base-port", "0",
                                   "--servers", std::to_string(o.servers),
                                   "--timeout", std::to_string(o.up_timeout.count())};
  if (o.hosts > 0) {
    for (const std::string& f : {std::string("--hosts"), std::to_string(o.hosts), std::string("--epc-mib"), Format(o.epc_mib)})
      argv.push_back(f);
  }
  if (!o.models_dir.empty()) {
    argv.push_back("--models");
    argv.push_back(o.models_dir);
  }
  for (const auto& f : o.extra_flags) argv.push_back(f);
  return argv;
}

Result<std::unique_ptr<BenchCluster>> BenchCluster::Start(const BenchClusterOptions& options) {
  S3ML_ASSIGN_OR_RETURN(std::vector<std::string> argv, BenchClusterUpArgv(options));
  std::error_code ec;
  std::filesystem::create_directories(options.state_dir, ec);
  if (ec) return Internal("cannot create " + options.state_dir + ": " + ec.message());
  const std::string dir = std::filesystem::absolute(options.state_dir, ec).lexically_normal().string();
  argv[3] = dir;
  // `up` has its own --timeout; ours is a backstop in case it hangs.
  S3ML_ASSIGN_OR_RETURN(ProgramRun up, RunProgram(argv, options.up_timeout + std::chrono::seconds(30)));
  (void)WriteFileAtomic(dir + "/bench-up.log",
                        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(up.output.data()), up.output.size()),
                        0644);
  const ClusterLayout layout(dir);
  if (up.exit_code != 0) {
    // `up` cleans up after its own failures, but not after being killed.
    if (up.timed_out) (void)RunProgram({argv[0], "down", "--state-dir", dir}, options.down_timeout);
    return Unavailable("`s3ml up --state-dir " + dir + "` failed" + (up.timed_out ? " (timed out)" : "") + ":\n" +
                       Tail(up.output));
  }
  auto record = LoadClusterRecord(layout);
  if (!record.ok()) {
    (void)RunProgram({argv[0], "down", "--state-dir", dir}, options.down_timeout);
    return record.status();
  }
  return std::unique_ptr<BenchCluster>(new BenchCluster(argv[0], layout, std::move(record).value(), options.down_timeout));
}

BenchCluster::~BenchCluster() { (void)Stop(); }

Status BenchCluster::Stop() {
  if (stopped_) return Status::Ok();
  stopped_ = true;
  S3ML_ASSIGN_OR_RETURN(ProgramRun down, RunProgram({s3ml_, "down", "--state-dir", layout_.root}, down_timeout_));
  if (down.exit_code != 0)
    return Unavailable("`s3ml down --state-dir " + layout_.root + "` failed" + (down.timed_out ? " (timed out)" : "") +
                       ":\n" + Tail(down.output));
  return Status::Ok();
}

Result<std::string> BenchCluster::ServerUrl(const std::string& server_name) const {
  const ComponentRecord* c = record_.Find(server_name);
  if (c == nullptr || c->kind != "server") return NotFound("no server " + server_name + " in " + layout_.record());
  return "https://" + record_.host + ":" + std::to_string(c->port);
}

Result<std::string> BenchCluster::RootCaPem() const { return ReadFileText(layout_.root_ca(), 1 << 20); }

Result<std::unique_ptr<NoiseProcess>> NoiseProcess::Start(const NoiseOptions& o) {
  if (o.host.empty()) return InvalidArgument("noise: no EPC host");
  if (o.state_dir.empty()) return InvalidArgument("noise: no state directory");
  if (!(std::isfinite(o.mib) && o.mib > 0)) return InvalidArgument("noise: size must be > 0 MiB, got " + Format(o.mib));
  if (!(std::isfinite(o.pages_per_second) && o.pages_per_second >= 0))
    return InvalidArgument("noise: pages per second must be >= 0, got " + Format(o.pages_per_second));
  S3ML_ASSIGN_OR_RETURN(std::string s3ml, ResolveS3ml(o.s3ml));
  ProcessSpec spec;
  spec.name = o.name;
  spec.argv = {s3ml, "sim", "noise", "--host", o.host, "--mib", Format(o.mib),
               "--pages-per-s", Format(o.pages_per_second)};
  for (const auto& f : o.extra_flags) spec.argv.push_back(f);
  ProcessSupervisor supervisor(o.state_dir);
  S3ML_ASSIGN_OR_RETURN(pid_t pid, supervisor.Start(spec));
  (void)pid;
  std::unique_ptr<NoiseProcess> noise(new NoiseProcess(o.state_dir, o.name));
  Status ready = supervisor.WaitForLogLine(o.name, kNoiseReadyLine, o.ready_timeout);
  if (!ready.ok()) return ready;  // the destructor stops it
  return noise;
}

NoiseProcess::~NoiseProcess() { (void)Stop(); }

Status NoiseProcess::Stop() {
  if (stopped_) return Status::Ok();
  stopped_ = true;
  return ProcessSupervisor(state_dir_).Stop(name_, std::chrono::seconds(5));
}

}  // namespace s3ml::cluster
