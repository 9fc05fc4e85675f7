// Test-side handle on a running ecs_state_helper (state_helper.cc): an enclave process holding a
// StateStore, driven one command at a time over pipes. Every read has a deadline, so a hung
// helper fails the test instead of hanging it; the destructor always reaps the child.
#ifndef S3ML_TESTS_ECS_STATE_ENCLAVE_SESSION_H_
#define S3ML_TESTS_ECS_STATE_ENCLAVE_SESSION_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace s3ml::ecs::testing {

struct Reply {
  bool ok = false;
  std::string code;     // StatusCodeName on error ("DataLoss"), empty when ok
  std::string message;  // the error message, or the text after "ok "
  nlohmann::json state;  // the state dump when the reply carried one, else null

  std::string ToString() const { return ok ? "ok " + message : code + ": " + message; }
};

class EnclaveSession {
 public:
  // Starts `enclave` (an installed, signed helper) talking to the daemon at `socket`.
  EnclaveSession(const std::string& enclave, const std::string& socket);
  ~EnclaveSession();
  EnclaveSession(const EnclaveSession&) = delete;
  EnclaveSession& operator=(const EnclaveSession&) = delete;

  // Sends one command line and waits (up to timeout_ms) for its reply line.
  Reply Call(const std::string& command, int timeout_ms = 20000);
  // Sends a line without waiting for a reply (commit-loop).
  void Send(const std::string& command);
  // The next stdout line, or nullopt at EOF or after timeout_ms.
  std::optional<std::string> ReadLine(int timeout_ms);

  pid_t pid() const { return pid_; }
  void Kill();  // SIGKILL and reap

 private:
  pid_t pid_ = -1;
  int in_ = -1;   // the helper's stdin
  int out_ = -1;  // the helper's stdout
  std::string buffer_;
};

// Convenience for the common sequence on a fresh helper: open DIR, load.
Reply OpenAndLoad(EnclaveSession& session, const std::string& dir);

}  // namespace s3ml::ecs::testing

#endif  // S3ML_TESTS_ECS_STATE_ENCLAVE_SESSION_H_
