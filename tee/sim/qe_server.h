// QeServer: the simulated quoting daemon of a host (`s3ml sim qe`, the analogue of aesmd). It
// listens on a Unix socket, identifies every caller by SO_PEERCRED and ProcessIdentifier (the
// caller's measured executable and sigstruct, never anything the caller claims), and answers
// quote, seal-key (EGETKEY analogue) and identity requests (qe_protocol.h).
//
// Each connection is served on its own thread with socket timeouts, at most max_connections at
// a time (further callers get a kResourceExhausted reply). Malformed requests get an error reply
// and never disturb other connections. Start refuses a socket path another live daemon owns.
#ifndef S3ML_TEE_SIM_QE_SERVER_H_
#define S3ML_TEE_SIM_QE_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include "core/status.h"
#include "tee/sim/process_identifier.h"
#include "tee/sim/sim_authority.h"

namespace s3ml::tee::sim {

struct QeServerOptions {
  std::string socket_path;
  int io_timeout_ms = 5000;
  size_t max_connections = 32;
};

class QeServer {
 public:
  static Result<std::unique_ptr<QeServer>> Start(SimAuthority authority, QeServerOptions options);
  ~QeServer();
  QeServer(const QeServer&) = delete;
  QeServer& operator=(const QeServer&) = delete;

  // Accepts and serves connections until Stop(). Call from one thread.
  Status Run();
  // Thread-safe and idempotent; Run() returns soon after, once open connections finished.
  void Stop();

  const std::string& socket_path() const { return options_.socket_path; }
  size_t requests_answered() const { return answered_.load(); }

 private:
  QeServer(SimAuthority authority, QeServerOptions options, int listen_fd, int wake_read, int wake_write);
  void ServeConnection(int fd);
  Result<std::vector<uint8_t>> Answer(std::span<const uint8_t> request, int fd);

  SimAuthority authority_;
  QeServerOptions options_;
  ProcessIdentifier identifier_;
  int listen_fd_;
  int wake_read_, wake_write_;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> answered_{0};
  std::mutex mu_;
  std::condition_variable idle_;
  size_t active_ = 0;
};

}  // namespace s3ml::tee::sim

#endif  // S3ML_TEE_SIM_QE_SERVER_H_
