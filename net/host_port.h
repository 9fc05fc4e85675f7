// HostPort: "HOST:PORT" as given to --listen / --metrics / --agent flags: an IPv4 address or name, or "[v6]" brackets, and a port 0..65535
// (0: any free port, the bound one is logged).
#ifndef S3ML_NET_HOST_PORT_H_
#define S3ML_NET_HOST_PORT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace s3ml::net {

struct HostPort {
  std::string host = "127.0.0.1";  // loopback unless told otherwise
  uint16_t port = 0;
};

// InvalidArgument naming the text for a missing host, a missing or non-numeric port, or a port
// above 65535.
Result<HostPort> ParseHostPort(std::string_view text);

}  // namespace s3ml::net

#endif  // S3ML_NET_HOST_PORT_H_
