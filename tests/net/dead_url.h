// A loopback HTTPS URL with nothing listening: a port the kernel just handed out and took back,
// for tests of connection failures and retries.
#ifndef S3ML_TESTS_NET_DEAD_URL_H_
#define S3ML_TESTS_NET_DEAD_URL_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace s3ml::net::testing {

inline std::string DeadHttpsUrl() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  const bool bound = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  if (fd >= 0) ::close(fd);
  // Port 1 (tcpmux) is never served on a test machine: still a refused connection.
  return "https://127.0.0.1:" + std::to_string(bound ? ntohs(addr.sin_port) : 1);
}

}  // namespace s3ml::net::testing

#endif  // S3ML_TESTS_NET_DEAD_URL_H_
