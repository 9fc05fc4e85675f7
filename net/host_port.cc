#include "net/host_port.h"

#include <charconv>

namespace s3ml::net {

Result<HostPort> ParseHostPort(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return InvalidArgument("address \"" + std::string(text) + "\" is not HOST:PORT");
  }
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') {
      return InvalidArgument("address \"" + std::string(text) + "\" has an unbalanced [IPv6] host");
    }
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return InvalidArgument("address \"" + std::string(text) + "\" has no port in 0..65535");
  }
  return HostPort{std::string(host), static_cast<uint16_t>(port)};
}

}  // namespace s3ml::net
