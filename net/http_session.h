// Internal to net/: the state an HttpServer shares with its connections, and the connection
// (session) interface the server uses to drain and close them. Not for use outside net/.
#ifndef S3ML_NET_HTTP_SESSION_H_
#define S3ML_NET_HTTP_SESSION_H_

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "net/http_server.h"

namespace s3ml::net::internal {

// Lets responders (on any thread) reach the IO context only while it exists: the server closes
// the gate before destroying the context; later responses are dropped (their connections are
// gone). Responders must hold nothing tied to the context (not even an executor) outside it.
class ResponseGate {
 public:
  // Runs fn() under the gate's lock if the gate is open.
  template <class Fn>
  void RunIfOpen(Fn&& fn) {
    std::lock_guard<std::mutex> lock(mu_);
    if (open_) fn();
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = false;
  }

 private:
  std::mutex mu_;
  bool open_ = true;
};

class Session;

struct ServerCore {
  ServerCore(HttpServerOptions o, Router r) : options(std::move(o)), router(std::move(r)) {}

  // False (and nothing registered) once the server is draining.
  bool Register(const std::shared_ptr<Session>& session);
  void Unregister(Session* session);
  std::vector<std::shared_ptr<Session>> Snapshot();
  void BeginDraining();
  // Waits until no session is registered or `deadline` passes; true if none is left.
  bool WaitForNoSessions(std::chrono::steady_clock::time_point deadline);
  size_t SessionCount();

  const HttpServerOptions options;
  const Router router;
  const std::shared_ptr<ResponseGate> gate = std::make_shared<ResponseGate>();
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<uint64_t> responses_sent{0};

 private:
  std::mutex mu_;
  std::condition_variable no_sessions_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  bool draining_ = false;
};

class Session {
 public:
  explicit Session(ServerCore& core) : core_(core) {}
  virtual ~Session() { core_.Unregister(this); }
  // Thread-safe. Close now if idle; otherwise finish the current request, then close.
  virtual void Drain() = 0;
  // Thread-safe. Close the socket now.
  virtual void ForceClose() = 0;
  // Drops the reference an unanswered request holds. REQUIRES: the IO threads have stopped.
  virtual void ReleaseSelf() = 0;

 protected:
  ServerCore& core_;
};

// Creates, registers and starts a connection (TLS when `tls` is set). Closes the socket if the
// server is draining.
void StartSession(boost::asio::ip::tcp::socket socket, ServerCore& core, std::shared_ptr<const TlsContext> tls);

}  // namespace s3ml::net::internal

#endif  // S3ML_NET_HTTP_SESSION_H_
