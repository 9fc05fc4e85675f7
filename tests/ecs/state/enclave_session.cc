#include "tests/ecs/state/enclave_session.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

namespace s3ml::ecs::testing {

EnclaveSession::EnclaveSession(const std::string& enclave, const std::string& socket) {
  int to_child[2], from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0) std::abort();
  // Built before fork: the child of a multi-threaded process may only call async-signal-safe code.
  std::vector<std::string> argv_storage = {enclave, socket};
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0) std::abort();
  if (pid_ == 0) {
    ::dup2(to_child[0], 0);
    ::dup2(from_child[1], 1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  in_ = to_child[1];
  out_ = from_child[0];
}

EnclaveSession::~EnclaveSession() {
  if (in_ >= 0) ::close(in_);  // EOF: the helper exits
  if (pid_ > 0) {
    // Give it a moment to exit on its own, then make sure.
    for (int i = 0; i < 200; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      ::usleep(10000);
    }
    if (pid_ > 0) Kill();
  }
  if (out_ >= 0) ::close(out_);
}

void EnclaveSession::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void EnclaveSession::Send(const std::string& command) {
  const std::string line = command + "\n";
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(in_, line.data() + done, line.size() - done);
    if (n <= 0) {
      ADD_FAILURE() << "cannot write to the helper: it died?";
      return;
    }
    done += static_cast<size_t>(n);
  }
}

std::optional<std::string> EnclaveSession::ReadLine(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd p = {out_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[65536];
    const ssize_t n = ::read(out_, buf, sizeof(buf));
    if (n <= 0) return std::nullopt;
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

Reply EnclaveSession::Call(const std::string& command, int timeout_ms) {
  Send(command);
  Reply r;
  const std::optional<std::string> line = ReadLine(timeout_ms);
  if (!line.has_value()) {
    r.code = "NoReply";
    r.message = "no reply to '" + command + "'";
    return r;
  }
  if (line->rfind("ok", 0) == 0) {
    r.ok = true;
    r.message = line->size() > 3 ? line->substr(3) : "";
    if (!r.message.empty() && r.message.front() == '{') {
      r.state = nlohmann::json::parse(r.message, nullptr, false);
    }
    return r;
  }
  if (line->rfind("error ", 0) == 0) {
    const std::string rest = line->substr(6);
    const size_t space = rest.find(' ');
    r.code = rest.substr(0, space);
    r.message = space == std::string::npos ? "" : rest.substr(space + 1);
    return r;
  }
  r.code = "BadReply";
  r.message = *line;
  return r;
}

Reply OpenAndLoad(EnclaveSession& session, const std::string& dir) {
  Reply open = session.Call("open " + dir);
  if (!open.ok) return open;
  return session.Call("load");
}

}  // namespace s3ml::ecs::testing
