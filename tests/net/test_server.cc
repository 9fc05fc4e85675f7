#include "tests/net/test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <any>
#include <cstdlib>
#include <stdexcept>

namespace s3ml::net::testing {

std::unique_ptr<HttpServer> StartServer(HttpServerOptions options, Router router) {
  options.address = "127.0.0.1";
  options.port = 0;
  // CTest runs the server suites a second time with this set (tests/net/CMakeLists.txt).
  if (std::getenv("S3ML_TEST_CONTEXT_PER_THREAD") != nullptr) options.context_per_thread = true;
  auto server = std::make_unique<HttpServer>(std::move(options), std::move(router));
  Status started = server->Start();
  if (!started.ok()) throw std::runtime_error("server did not start: " + started.ToString());
  return server;
}

Router EchoRouter() {
  Router router;
  auto check = [](Status s) {
    if (!s.ok()) throw std::runtime_error(s.ToString());
  };
  check(router.Add("GET", "/hello", [](HttpRequest, HttpResponder respond) {
    respond(HttpResponse::Text(200, "hello"));
  }));
  check(router.Add("POST", "/echo", [](HttpRequest request, HttpResponder respond) {
    respond(HttpResponse::Text(200, std::move(request.body)));
  }));
  check(router.Add("GET", "/peer", [](HttpRequest request, HttpResponder respond) {
    std::string claims;
    if (const auto* s = std::any_cast<std::string>(&request.peer->claims)) claims = *s;
    respond(HttpResponse::Text(200, std::to_string(request.peer->chain.size()) + " " + claims));
  }));
  return router;
}

RawConnection::RawConnection(uint16_t port, std::chrono::milliseconds receive_timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(receive_timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((receive_timeout.count() % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd_);
    throw std::runtime_error("connect failed");
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string RawConnection::ReadAll(bool* closed) {
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (closed != nullptr) *closed = (n == 0) || (errno != EAGAIN && errno != EWOULDBLOCK);
    return out;
  }
}

std::string RawConnection::ReadResponse() {
  std::string out;
  char buf[4096];
  while (true) {
    size_t end = out.find("\r\n\r\n");
    if (end != std::string::npos) {
      size_t length = 0;
      size_t cl = out.find("Content-Length: ");
      if (cl != std::string::npos && cl < end) length = std::stoul(out.substr(cl + 16));
      if (out.size() >= end + 4 + length) return out;
    }
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

int StatusOf(std::string_view raw) {
  if (raw.size() < 12 || raw.substr(0, 5) != "HTTP/") return 0;
  return std::atoi(std::string(raw.substr(9, 3)).c_str());
}

}  // namespace s3ml::net::testing
