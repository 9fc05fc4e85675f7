#include "client/https_url.h"

#include <cctype>
#include <charconv>

namespace s3ml::client {
namespace {

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

}  // namespace

Result<HttpsEndpoint> ParseHttpsUrl(std::string_view url, std::optional<uint16_t> default_port) {
  // Built by append: GCC 12 warns falsely (-Wrestrict) about "'" + std::string(...) + "'".
  std::string quoted(1, '\'');
  quoted.append(url.substr(0, 256)).push_back('\'');
  constexpr std::string_view kScheme = "https://";
  if (url.substr(0, kScheme.size()) != kScheme) return InvalidArgument("URL " + quoted + " must start with https://");
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return InvalidArgument("URL " + quoted + " must be https://host:port (no path, query or user)");
  }
  HttpsEndpoint endpoint;
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return InvalidArgument("URL " + quoted + " has an unclosed [");
    endpoint.host = std::string(rest.substr(1, close - 1));
    for (char c : endpoint.host) {
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) {
        return InvalidArgument("URL " + quoted + " has a bad IPv6 address");
      }
    }
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return InvalidArgument("URL " + quoted + " has junk after ]");
      port_text = after.substr(1);
      if (port_text.empty()) return InvalidArgument("URL " + quoted + " has an empty port");
    }
  } else {
    size_t colon = rest.rfind(':');
    endpoint.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = rest.substr(colon + 1);
      if (port_text.empty()) return InvalidArgument("URL " + quoted + " has an empty port");
    }
    for (char c : endpoint.host) {
      if (!IsHostChar(c)) return InvalidArgument("URL " + quoted + " has a bad host name");
    }
  }
  if (endpoint.host.empty()) return InvalidArgument("URL " + quoted + " has no host");
  if (port_text.empty()) {
    if (!default_port) return InvalidArgument("URL " + quoted + " has no port (https://host:port)");
    endpoint.port = *default_port;
    return endpoint;
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
    return InvalidArgument("URL " + quoted + " has a bad port '" + std::string(port_text) + "'");
  }
  endpoint.port = static_cast<uint16_t>(port);
  return endpoint;
}

std::string EndpointString(const HttpsEndpoint& endpoint) {
  bool v6 = endpoint.host.find(':') != std::string::npos;
  return (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
}

}  // namespace s3ml::client
