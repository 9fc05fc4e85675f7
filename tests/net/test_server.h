// Test helpers: start an HttpServer on a loopback port, and talk raw bytes to it.
#ifndef S3ML_TESTS_NET_TEST_SERVER_H_
#define S3ML_TESTS_NET_TEST_SERVER_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "net/http_server.h"

namespace s3ml::net::testing {

// Starts the server on 127.0.0.1:0; throws if Start() fails.
std::unique_ptr<HttpServer> StartServer(HttpServerOptions options, Router router);

// Routes: GET /hello -> "hello"; POST /echo -> the body; GET /peer -> "<chain size> <claims>"
// (claims as a std::string when the verifier stored one).
Router EchoRouter();

// A plain TCP connection to 127.0.0.1:port with a receive timeout, for malformed input.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port, std::chrono::milliseconds receive_timeout = std::chrono::seconds(5));
  ~RawConnection();
  bool Send(std::string_view bytes);
  // Reads until the peer closes or the receive timeout passes; `closed` tells which.
  std::string ReadAll(bool* closed = nullptr);
  // Reads one response's worth: until "\r\n\r\n" plus Content-Length bytes.
  std::string ReadResponse();

 private:
  int fd_ = -1;
};

// "HTTP/1.1 413 ..." -> 413; 0 if unparsable.
int StatusOf(std::string_view raw_response);

}  // namespace s3ml::net::testing

#endif  // S3ML_TESTS_NET_TEST_SERVER_H_
