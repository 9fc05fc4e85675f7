// HttpClient: a synchronous HTTP/1.1 client for one origin (host:port), over TLS or plaintext.
//
// Keeps one keep-alive connection and reuses it; if a reused connection turns out to have been
// closed by the server before any response byte arrived, it reconnects once and resends.
// TLS clients verify the server with their TlsContext (pinned root + host name / IP SAN, and/or a
// PeerVerifier for RA-TLS) and may present a client certificate (mutual TLS).
// Every call is bounded: connect timeout (resolve + TCP + TLS handshake) and request timeout
// (send the request, receive the whole response); response headers and body are size-limited.
// Not thread-safe: one request at a time per HttpClient (use one per thread).
#ifndef S3ML_NET_HTTP_CLIENT_H_
#define S3ML_NET_HTTP_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "net/http_request.h"
#include "net/http_response.h"
#include "net/tls_context.h"

namespace s3ml::net {

struct HttpClientOptions {
  std::shared_ptr<const TlsContext> tls;  // a client context; nullptr for plain HTTP
  // Name checked against the server certificate and sent as SNI; empty = the host connected to.
  std::string server_name;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{30'000};
  size_t max_header_bytes = 64 * 1024;
  uint64_t max_response_body_bytes = 64 * 1024 * 1024;
};

class HttpClient {
 public:
  HttpClient(std::string host, uint16_t port, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` (method, target, headers, body; Host and Content-Length are set for you).
  // Any HTTP status is a successful Result. Errors: Unavailable (cannot connect, connection
  // lost), DeadlineExceeded (a timeout), PermissionDenied (the server's certificate was refused,
  // with the reason), ResourceExhausted (response over a limit), InvalidArgument (bad request).
  Result<HttpResponse> Send(const HttpRequest& request);
  Result<HttpResponse> Get(std::string_view target);
  Result<HttpResponse> Post(std::string_view target, std::string body,
                            std::string_view content_type = "application/json");

  // The verified server of the current connection (nullptr if not connected).
  std::shared_ptr<const PeerInfo> peer() const;
  // How many connections this client has opened (keep-alive reuse keeps it at 1).
  uint64_t connections_opened() const;
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace s3ml::net

#endif  // S3ML_NET_HTTP_CLIENT_H_
