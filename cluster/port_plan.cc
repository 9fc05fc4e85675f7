#include "cluster/port_plan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "cluster/ip_endpoint.h"

namespace s3ml::cluster {
namespace {

// Binds host:port (SO_REUSEADDR, like the servers will) and returns the socket and the bound port.
Result<std::pair<int, uint16_t>> BindPort(const std::string& host, uint16_t port) {
  S3ML_ASSIGN_OR_RETURN(IpEndpoint endpoint, ParseIpEndpoint(host, port));
  const int fd = ::socket(endpoint.family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, endpoint.address(), endpoint.length) != 0) {
    const int e = errno;
    ::close(fd);
    if (e == EADDRINUSE) return AlreadyExists("port " + std::to_string(port) + " on " + host + " is already in use");
    return Internal("bind " + host + ":" + std::to_string(port) + ": " + std::strerror(e));
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  const uint16_t actual = bound.ss_family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port)
                                                     : ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  return std::make_pair(fd, actual);
}

}  // namespace

Result<std::vector<uint16_t>> ReservePorts(const std::string& host, uint16_t base_port, size_t count) {
  if (base_port != 0 && base_port + count - 1 > 65535)
    return InvalidArgument("ports " + std::to_string(base_port) + ".." + std::to_string(base_port + count - 1) +
                           " pass 65535");
  std::vector<int> held;  // kept bound until all are chosen, so the kernel never repeats one
  std::vector<uint16_t> ports;
  Status status;
  for (size_t i = 0; i < count; ++i) {
    auto bound = BindPort(host, base_port == 0 ? 0 : static_cast<uint16_t>(base_port + i));
    if (!bound.ok()) {
      status = bound.status();
      break;
    }
    held.push_back(bound->first);
    ports.push_back(bound->second);
  }
  for (int fd : held) ::close(fd);
  if (!status.ok()) return status;
  return ports;
}

}  // namespace s3ml::cluster
