// HttpServer: HTTP/1.1 over TLS (or plaintext) on Boost.Beast, run by a pool of IO threads.
//
// Accepts asynchronously, performs the TLS handshake under a timeout, then serves keep-alive
// requests through a Router. Handlers run on an IO thread and should not block (a blocking
// handler holds up the connections that thread serves): they answer through an HttpResponder,
// at once or later from any thread. Limits: header bytes (431), body bytes (413, from
// Content-Length before the body is read, and while reading chunked bodies), malformed requests
// (400), slow or idle clients (connection closed). Errors are JSON {"error": "..."}. After an
// error response the connection is closed; the server keeps serving.
//
// Lifecycle: construct, Start() (binds; port() then reports the bound port, useful with port 0),
// Shutdown(grace): stop accepting, close idle connections, let in-flight requests finish for up
// to `grace`, then close the rest. The destructor shuts down with no grace.
#ifndef S3ML_NET_HTTP_SERVER_H_
#define S3ML_NET_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "net/router.h"
#include "net/tls_context.h"

namespace s3ml::net {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port
  int io_threads = 2;
  // false: the IO threads share one event loop, so any free thread serves any connection (for
  // handlers that may block). true: each IO thread has its own loop, connections are spread over
  // them round robin and a separate thread accepts; no thread hand-offs within a request (lower
  // latency), but a handler that blocks delays the other connections of its thread.
  bool context_per_thread = false;
  std::shared_ptr<const TlsContext> tls;  // a server context; nullptr serves plaintext HTTP
  size_t max_header_bytes = 16 * 1024;
  uint64_t max_body_bytes = 16 * 1024 * 1024;
  std::chrono::milliseconds handshake_timeout{10'000};
  // From the first byte of a request to its last (and for writing the response).
  std::chrono::milliseconds request_timeout{30'000};
  // How long a keep-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{60'000};
};

struct HttpServerStats {
  uint64_t connections_accepted = 0;
  uint64_t responses_sent = 0;
  uint64_t open_connections = 0;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, Router router);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the IO threads. Unavailable if the address cannot be bound;
  // InvalidArgument for bad options (no threads, a client TLS context, a bad address).
  Status Start();
  // The bound port. REQUIRES: Start() succeeded.
  uint16_t port() const;

  // New connections use `tls` from now on; established ones keep theirs (certificate renewal).
  // FailedPrecondition if the server serves plaintext; InvalidArgument for a client context.
  Status ReplaceTlsContext(std::shared_ptr<const TlsContext> tls);

  // Idempotent; blocks until every connection is closed and the IO threads have stopped.
  // REQUIRES: not called from a request handler (it joins the IO threads).
  void Shutdown(std::chrono::milliseconds grace);

  HttpServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace s3ml::net

#endif  // S3ML_NET_HTTP_SERVER_H_
