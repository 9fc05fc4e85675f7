// "https://host:port" URLs of s3ml services (ECS, model servers, a load balancer): host a DNS
// name, an IPv4 address or an [IPv6] address; the port is required (1..65535) unless a default is
// given; no user info, path (a single "/" is allowed), query or fragment. kInvalidArgument naming
// the URL otherwise.
#ifndef S3ML_CLIENT_HTTPS_URL_H_
#define S3ML_CLIENT_HTTPS_URL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace s3ml::client {

struct HttpsEndpoint {
  std::string host;  // without brackets for IPv6
  uint16_t port = 0;
};

Result<HttpsEndpoint> ParseHttpsUrl(std::string_view url, std::optional<uint16_t> default_port = std::nullopt);

// "host:port" ("[v6]:port"), for messages and file names.
std::string EndpointString(const HttpsEndpoint& endpoint);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_HTTPS_URL_H_
