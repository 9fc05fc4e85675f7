// OrphanGuard: runs a command if this process dies while the guard is alive, however it dies.
// CTest ends a test past its TIMEOUT with SIGKILL, so no destructor runs and the cluster the test
// started (daemons in their own sessions) would keep running; the guard stops it then.
//
// How: a shell in its own session blocks reading a pipe whose only writer is this process (the
// write end is close-on-exec, so programs this process starts do not hold it). The pipe ends when
// this process dies, and the shell runs the command. Destroying the guard kills the shell first, so
// the command never runs on a normal exit.
#ifndef S3ML_TESTS_E2E_ORPHAN_GUARD_H_
#define S3ML_TESTS_E2E_ORPHAN_GUARD_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/status.h"

namespace s3ml::e2e {

class OrphanGuard {
 public:
  // argv[0] is a path (no PATH lookup); the command's output goes to /dev/null.
  static Result<OrphanGuard> Arm(const std::vector<std::string>& argv);
  OrphanGuard(OrphanGuard&& other) noexcept;
  OrphanGuard& operator=(OrphanGuard&&) = delete;
  OrphanGuard(const OrphanGuard&) = delete;
  ~OrphanGuard();  // disarms: the command does not run

 private:
  OrphanGuard(pid_t watcher, int pipe_write_fd) : watcher_(watcher), pipe_write_fd_(pipe_write_fd) {}
  pid_t watcher_ = -1;
  int pipe_write_fd_ = -1;
};

}  // namespace s3ml::e2e

#endif  // S3ML_TESTS_E2E_ORPHAN_GUARD_H_
