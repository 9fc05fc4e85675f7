// ProcessSupervisor: starts, tracks and stops the long-running processes of a local cluster.
//
// A process is started detached (its own session, stdin /dev/null, stdout+stderr appended to
// <dir>/logs/<name>.log) so it outlives the `s3ml up` that started it, and is tracked by
// <dir>/run/<name>.pid holding "<pid> <start time>": the kernel's start time (from
// /proc/<pid>/stat) guards against a recycled pid, so `s3ml down` never signals a stranger.
// Readiness is the caller's predicate (a log line, a port answering); waiting fails early with the
// tail of the log when the process exits first, which is how a refused server's reason surfaces.
// Stop sends SIGTERM, waits for a grace period, then SIGKILL, and removes the pid file.
#ifndef S3ML_CLUSTER_PROCESS_SUPERVISOR_H_
#define S3ML_CLUSTER_PROCESS_SUPERVISOR_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace s3ml::cluster {

// The first line of each run in a process's log: "==== s3ml supervisor: start <name> (<exe>)".
inline constexpr char kStartMarker[] = "==== s3ml supervisor: start ";

struct ProcessSpec {
  std::string name;                  // [A-Za-z0-9._-]{1,64}: names the log and pid files
  std::vector<std::string> argv;     // argv[0] is the executable's path
  std::vector<std::string> env;      // "KEY=VALUE" added to (or replacing in) the inherited environment
};

struct ProcessStatus {
  std::string name;
  pid_t pid = 0;                     // 0 when there is no pid file
  bool alive = false;
  std::string log_path;
};

class ProcessSupervisor {
 public:
  // REQUIRES: dir exists or can be created; logs/ and run/ are created below it.
  explicit ProcessSupervisor(std::string dir);

  // Starts the process. kAlreadyExists if a live process holds that name; kNotFound / kInternal
  // when the executable cannot be run (checked before returning: exec errors are reported here).
  Result<pid_t> Start(const ProcessSpec& spec);

  // Polls `ready` every 50 ms until it returns true (ok), the process exits (kUnavailable with its
  // exit status and log tail) or the timeout passes (kDeadlineExceeded with the log tail).
  Status WaitUntilReady(const std::string& name, const std::function<bool()>& ready,
                        std::chrono::milliseconds timeout) const;
  // Readiness by a line the process logs (e.g. "server listening on") since its latest start.
  Status WaitForLogLine(const std::string& name, const std::string& needle, std::chrono::milliseconds timeout) const;

  // Stops the named process (SIGTERM, then SIGKILL after `grace`) and removes its pid file.
  // Ok when it was not running. kInvalidArgument for a malformed pid file.
  Status Stop(const std::string& name, std::chrono::milliseconds grace = std::chrono::milliseconds(5000)) const;
  // Sends a signal to a live process (for tests and failure drills).
  Status Signal(const std::string& name, int signal) const;

  ProcessStatus Inspect(const std::string& name) const;
  // Names with a pid file, sorted.
  std::vector<std::string> Tracked() const;

  std::string LogPath(const std::string& name) const;
  std::string PidPath(const std::string& name) const;
  // The last `max_bytes` of the process's log (empty if none).
  std::string LogTail(const std::string& name, size_t max_bytes = 2048) const;

 private:
  struct PidRecord {
    pid_t pid = 0;
    uint64_t start_time = 0;
  };
  Result<std::optional<PidRecord>> ReadPid(const std::string& name) const;
  static bool IsAlive(const PidRecord& record);

  std::string dir_;
};

// True when a TCP connection to host:port succeeds within timeout (a readiness probe).
bool TcpPortAccepts(const std::string& host, uint16_t port,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(200));
// The kernel's start time of a process (field 22 of /proc/<pid>/stat), kNotFound if it is gone.
Result<uint64_t> ProcessStartTime(pid_t pid);
// CPU time (user + system, fields 14-15) a process has used so far, in seconds; kNotFound if gone.
Result<double> ProcessCpuSeconds(pid_t pid);

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_PROCESS_SUPERVISOR_H_
