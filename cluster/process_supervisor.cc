#include "cluster/process_supervisor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "cluster/haproxy_config.h"
#include "cluster/ip_endpoint.h"
#include "core/file.h"

extern char** environ;

namespace s3ml::cluster {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string ErrnoText(int e) { return std::strerror(e); }

// Reaps `pid` if it is our child and has exited; true if it was reaped (or is not our child and
// gone). Children of a previous `s3ml up` belong to init, so ECHILD is normal.
void ReapIfChild(pid_t pid) {
  int status = 0;
  (void)::waitpid(pid, &status, WNOHANG);
}

// The exit of a child we started, if it has exited: "exit status N" / "killed by signal N".
std::optional<std::string> ExitedChild(pid_t pid) {
  int status = 0;
  const pid_t r = ::waitpid(pid, &status, WNOHANG);
  if (r != pid) return std::nullopt;
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "stopped";
}

// The environment of the child: ours, with `overrides` replacing or adding variables.
std::vector<std::string> MergedEnvironment(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string key = entry.substr(0, entry.find('='));
    const bool replaced = std::any_of(overrides.begin(), overrides.end(), [&](const std::string& o) {
      return o.substr(0, o.find('=')) == key;
    });
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), overrides.begin(), overrides.end());
  return env;
}

}  // namespace

namespace {

// Fields 3.. of /proc/<pid>/stat (index 0 is field 3, the state). kNotFound for a process that is
// gone or a zombie.
Result<std::vector<std::string>> ProcStatFields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!in || !std::getline(in, stat)) return NotFound("no process " + std::to_string(pid));
  // The command name (field 2) is in parentheses and may hold spaces: parse after the last ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return Internal("unexpected /proc/pid/stat format");
  std::istringstream rest(stat.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  if (fields.size() < 20) return Internal("unexpected /proc/pid/stat format");
  if (fields[0] == "Z" || fields[0] == "X") return NotFound("process " + std::to_string(pid) + " has exited");
  return fields;
}

Result<uint64_t> StatField(const std::vector<std::string>& fields, size_t field_number) {
  uint64_t v = 0;
  const std::string& text = fields.at(field_number - 3);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return Internal("unexpected /proc/pid/stat format");
  return v;
}

}  // namespace

Result<uint64_t> ProcessStartTime(pid_t pid) {
  S3ML_ASSIGN_OR_RETURN(auto fields, ProcStatFields(pid));
  return StatField(fields, 22);
}

Result<double> ProcessCpuSeconds(pid_t pid) {
  S3ML_ASSIGN_OR_RETURN(auto fields, ProcStatFields(pid));
  S3ML_ASSIGN_OR_RETURN(uint64_t user, StatField(fields, 14));
  S3ML_ASSIGN_OR_RETURN(uint64_t system, StatField(fields, 15));
  return static_cast<double>(user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

bool TcpPortAccepts(const std::string& host, uint16_t port, std::chrono::milliseconds timeout) {
  auto endpoint = ParseIpEndpoint(host, port);
  if (!endpoint.ok()) return false;
  const int fd = ::socket(endpoint->family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = false;
  if (::connect(fd, endpoint->address(), endpoint->length) == 0) {
    ok = true;
  } else if (errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
      int err = 0;
      socklen_t l = sizeof(err);
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
      ok = err == 0;
    }
  }
  ::close(fd);
  return ok;
}

ProcessSupervisor::ProcessSupervisor(std::string dir) : dir_(std::move(dir)) {}

std::string ProcessSupervisor::LogPath(const std::string& name) const { return dir_ + "/logs/" + name + ".log"; }
std::string ProcessSupervisor::PidPath(const std::string& name) const { return dir_ + "/run/" + name + ".pid"; }

Result<std::optional<ProcessSupervisor::PidRecord>> ProcessSupervisor::ReadPid(const std::string& name) const {
  if (!IsValidHaproxyName(name)) return InvalidArgument("invalid process name '" + name + "'");
  std::error_code ec;
  if (!std::filesystem::exists(PidPath(name), ec)) return std::optional<PidRecord>();
  S3ML_ASSIGN_OR_RETURN(std::string text, ReadFileText(PidPath(name), 256));
  std::istringstream in(text);
  long long pid = 0;
  unsigned long long start = 0;
  if (!(in >> pid >> start) || pid <= 1 || pid > (1 << 22))
    return InvalidArgument("malformed pid file " + PidPath(name) + ": '" + text + "'");
  return std::optional<PidRecord>(PidRecord{static_cast<pid_t>(pid), start});
}

bool ProcessSupervisor::IsAlive(const PidRecord& record) {
  ReapIfChild(record.pid);
  auto start = ProcessStartTime(record.pid);
  return start.ok() && *start == record.start_time;
}

Result<pid_t> ProcessSupervisor::Start(const ProcessSpec& spec) {
  if (!IsValidHaproxyName(spec.name)) return InvalidArgument("invalid process name '" + spec.name + "'");
  if (spec.argv.empty()) return InvalidArgument("process " + spec.name + ": empty argv");
  for (const auto& e : spec.env)
    if (e.find('=') == std::string::npos || e.front() == '=')
      return InvalidArgument("process " + spec.name + ": environment entry '" + e + "' is not KEY=VALUE");
  S3ML_ASSIGN_OR_RETURN(auto existing, ReadPid(spec.name));
  if (existing && IsAlive(*existing))
    return AlreadyExists("process " + spec.name + " is already running (pid " + std::to_string(existing->pid) + ")");

  std::error_code ec;
  std::filesystem::create_directories(dir_ + "/logs", ec);
  std::filesystem::create_directories(dir_ + "/run", ec);
  if (ec) return Internal("cannot create " + dir_ + "/{logs,run}: " + ec.message());
  const std::string log_path = LogPath(spec.name);
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) return Internal("cannot open " + log_path + ": " + ErrnoText(errno));
  // A marker line starts each run's part of the log, so readiness looks only at this run.
  const std::string marker = std::string(kStartMarker) + spec.name + " (" + spec.argv[0] + ")\n";
  (void)!::write(log_fd, marker.data(), marker.size());
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int error_pipe[2];
  if (null_fd < 0 || ::pipe2(error_pipe, O_CLOEXEC) != 0) {
    ::close(log_fd);
    if (null_fd >= 0) ::close(null_fd);
    return Internal("cannot prepare process " + spec.name + ": " + ErrnoText(errno));
  }

  // Everything the child needs is built before fork: after fork only async-signal-safe calls.
  std::vector<std::string> env = MergedEnvironment(spec.env);
  std::vector<char*> argv_ptrs, env_ptrs;
  for (const auto& a : spec.argv) argv_ptrs.push_back(const_cast<char*>(a.c_str()));
  argv_ptrs.push_back(nullptr);
  for (const auto& e : env) env_ptrs.push_back(const_cast<char*>(e.c_str()));
  env_ptrs.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(log_fd);
    ::close(null_fd);
    ::close(error_pipe[0]);
    ::close(error_pipe[1]);
    return Internal("fork: " + ErrnoText(e));
  }
  if (pid == 0) {
    ::setsid();
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execve(argv_ptrs[0], argv_ptrs.data(), env_ptrs.data());
    const int e = errno;
    (void)!::write(error_pipe[1], &e, sizeof(e));
    ::_exit(127);
  }
  ::close(error_pipe[1]);
  ::close(log_fd);
  ::close(null_fd);
  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(error_pipe[0], &exec_errno, sizeof(exec_errno));
  } while (n < 0 && errno == EINTR);
  ::close(error_pipe[0]);
  if (n == sizeof(exec_errno)) {
    ::waitpid(pid, nullptr, 0);
    if (exec_errno == ENOENT) return NotFound("process " + spec.name + ": no executable " + spec.argv[0]);
    return Internal("process " + spec.name + ": cannot run " + spec.argv[0] + ": " + ErrnoText(exec_errno));
  }
  auto start = ProcessStartTime(pid);
  if (!start.ok()) {
    const auto exited = ExitedChild(pid);
    return Unavailable("process " + spec.name + " exited at once (" + exited.value_or("gone") + "): " +
                       LogTail(spec.name, 1024));
  }
  const std::string record = std::to_string(pid) + " " + std::to_string(*start) + "\n";
  Status written = WriteFileAtomic(PidPath(spec.name),
                                   std::span(reinterpret_cast<const uint8_t*>(record.data()), record.size()), 0644);
  if (!written.ok()) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return written;
  }
  return pid;
}

Status ProcessSupervisor::WaitUntilReady(const std::string& name, const std::function<bool()>& ready,
                                         std::chrono::milliseconds timeout) const {
  S3ML_ASSIGN_OR_RETURN(auto record, ReadPid(name));
  if (!record) return NotFound("process " + name + " was not started");
  const auto deadline = SteadyClock::now() + timeout;
  for (;;) {
    if (ready()) return Status::Ok();
    std::optional<std::string> exited = ExitedChild(record->pid);
    if (!exited) {
      // Not IsAlive(), which reaps: a child exiting just now would lose its exit status.
      const auto start_time = ProcessStartTime(record->pid);  // an exited child counts as gone
      if (!start_time.ok() || *start_time != record->start_time) exited = ExitedChild(record->pid).value_or("gone");
    }
    if (exited) {
      return Unavailable(name + " exited before it was ready (" + *exited + "); log " + LogPath(name) +
                         " ends with:\n" + LogTail(name, 1536));
    }
    if (SteadyClock::now() >= deadline) {
      return DeadlineExceeded(name + " not ready after " + std::to_string(timeout.count()) + " ms; log " +
                              LogPath(name) + " ends with:\n" + LogTail(name, 1536));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Status ProcessSupervisor::WaitForLogLine(const std::string& name, const std::string& needle,
                                         std::chrono::milliseconds timeout) const {
  const std::string path = LogPath(name);
  return WaitUntilReady(
      name,
      [&] {
        auto text = ReadFileText(path, 64u << 20);
        if (!text.ok()) return false;
        const size_t run = text->rfind(kStartMarker);
        return text->find(needle, run == std::string::npos ? 0 : run) != std::string::npos;
      },
      timeout);
}

Status ProcessSupervisor::Stop(const std::string& name, std::chrono::milliseconds grace) const {
  S3ML_ASSIGN_OR_RETURN(auto record, ReadPid(name));
  if (!record) return Status::Ok();
  std::error_code ec;
  if (!IsAlive(*record)) {
    std::filesystem::remove(PidPath(name), ec);
    return Status::Ok();
  }
  ::kill(record->pid, SIGTERM);
  const auto deadline = SteadyClock::now() + grace;
  while (IsAlive(*record) && SteadyClock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (IsAlive(*record)) {
    ::kill(record->pid, SIGKILL);
    const auto kill_deadline = SteadyClock::now() + std::chrono::seconds(5);
    while (IsAlive(*record) && SteadyClock::now() < kill_deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (IsAlive(*record)) return Internal(name + " (pid " + std::to_string(record->pid) + ") survived SIGKILL");
  }
  std::filesystem::remove(PidPath(name), ec);
  return Status::Ok();
}

Status ProcessSupervisor::Signal(const std::string& name, int signal) const {
  S3ML_ASSIGN_OR_RETURN(auto record, ReadPid(name));
  if (!record || !IsAlive(*record)) return NotFound("process " + name + " is not running");
  if (::kill(record->pid, signal) != 0) return Internal("kill " + name + ": " + ErrnoText(errno));
  return Status::Ok();
}

ProcessStatus ProcessSupervisor::Inspect(const std::string& name) const {
  ProcessStatus s;
  s.name = name;
  s.log_path = LogPath(name);
  auto record = ReadPid(name);
  if (record.ok() && *record) {
    s.pid = (*record)->pid;
    s.alive = IsAlive(**record);
  }
  return s;
}

std::vector<std::string> ProcessSupervisor::Tracked() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ + "/run", ec)) {
    const auto path = entry.path();
    if (path.extension() == ".pid") names.push_back(path.stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string ProcessSupervisor::LogTail(const std::string& name, size_t max_bytes) const {
  std::ifstream in(LogPath(name), std::ios::binary | std::ios::ate);
  if (!in) return "";
  const std::streamoff size = in.tellg();
  const std::streamoff from = size > static_cast<std::streamoff>(max_bytes) ? size - max_bytes : 0;
  in.seekg(from);
  std::string tail(static_cast<size_t>(size - from), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  return tail;
}

}  // namespace s3ml::cluster
