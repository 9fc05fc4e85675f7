#include "tests/e2e/orphan_guard.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace s3ml::e2e {

Result<OrphanGuard> OrphanGuard::Arm(const std::vector<std::string>& argv) {
  if (argv.empty()) return InvalidArgument("OrphanGuard: empty command");
  // The shell reads until the pipe ends, then runs "$@" (the command).
  std::vector<std::string> args = {"/bin/sh", "-c", "read _; exec \"$@\"", "s3ml-orphan-guard"};
  args.insert(args.end(), argv.begin(), argv.end());
  std::vector<char*> c_args;
  for (std::string& a : args) c_args.push_back(a.data());
  c_args.push_back(nullptr);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Internal(std::string("pipe2: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return Internal(std::string("fork: ") + std::strerror(error));
  }
  if (pid == 0) {  // only async-signal-safe calls until exec
    ::setsid();    // out of the test's process group, so a signal to the group leaves it running
    const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (::dup2(fds[0], 0) < 0 || null_fd < 0 || ::dup2(null_fd, 1) < 0 || ::dup2(null_fd, 2) < 0) ::_exit(127);
    ::execv(c_args[0], c_args.data());
    ::_exit(127);
  }
  ::close(fds[0]);
  return OrphanGuard(pid, fds[1]);
}

OrphanGuard::OrphanGuard(OrphanGuard&& other) noexcept
    : watcher_(other.watcher_), pipe_write_fd_(other.pipe_write_fd_) {
  other.watcher_ = -1;
  other.pipe_write_fd_ = -1;
}

OrphanGuard::~OrphanGuard() {
  if (watcher_ > 0) {
    ::kill(watcher_, SIGKILL);  // before the pipe closes, or the command would run
    while (::waitpid(watcher_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  if (pipe_write_fd_ >= 0) ::close(pipe_write_fd_);
}

}  // namespace s3ml::e2e
