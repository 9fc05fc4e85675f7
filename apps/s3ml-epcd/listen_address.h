// "HOST:PORT" as given to --listen: an IPv4 address or name, or "[v6]" brackets, and a port 0..65535
// (0: any free port, the bound one is logged).
#ifndef S3ML_APPS_S3ML_EPCD_LISTEN_ADDRESS_H_
#define S3ML_APPS_S3ML_EPCD_LISTEN_ADDRESS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace s3ml::epcd {

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};

// InvalidArgument naming the text for a missing host, a missing or non-numeric port, or a port
// above 65535.
Result<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace s3ml::epcd

#endif  // S3ML_APPS_S3ML_EPCD_LISTEN_ADDRESS_H_
