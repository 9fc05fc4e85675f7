#include "cluster/ip_endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace s3ml::cluster {

Result<IpEndpoint> ParseIpEndpoint(const std::string& host, uint16_t port) {
  IpEndpoint endpoint;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&endpoint.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&endpoint.storage);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    endpoint.length = sizeof(*v4);
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    endpoint.length = sizeof(*v6);
  } else {
    return InvalidArgument("host must be an IP literal, got '" + host + "'");
  }
  return endpoint;
}

}  // namespace s3ml::cluster
