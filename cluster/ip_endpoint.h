// IpEndpoint: an IPv4 or IPv6 literal plus a port as a socket address, for the supervisor's own
// socket calls (port reservation, readiness probes). Host names are refused: the cluster only
// listens on and probes literal loopback or host addresses.
#ifndef S3ML_CLUSTER_IP_ENDPOINT_H_
#define S3ML_CLUSTER_IP_ENDPOINT_H_

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "core/status.h"

namespace s3ml::cluster {

struct IpEndpoint {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  const sockaddr* address() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// kInvalidArgument unless host is an IPv4 or IPv6 literal.
Result<IpEndpoint> ParseIpEndpoint(const std::string& host, uint16_t port);

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_IP_ENDPOINT_H_
