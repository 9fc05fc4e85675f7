#include "net/router.h"

#include <optional>
#include <set>

namespace s3ml::net {
namespace {

// "/a/b/" -> {"a", "b", ""}: a trailing slash is a distinct (empty) segment.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  if (path.empty() || path[0] != '/') return parts;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace

Status Router::Add(std::string_view method, std::string_view pattern, HttpHandler handler) {
  if (method.empty()) return InvalidArgument("route method is empty");
  if (!handler) return InvalidArgument("route " + std::string(pattern) + " has no handler");
  if (pattern.empty() || pattern[0] != '/') {
    return InvalidArgument("route pattern '" + std::string(pattern) + "' does not start with '/'");
  }
  Route route;
  route.method = std::string(method);
  route.pattern = std::string(pattern);
  std::set<std::string, std::less<>> names;
  for (std::string_view part : SplitPath(pattern)) {
    Segment segment;
    size_t open = part.find('{');
    size_t close = part.find('}');
    if (open == std::string_view::npos && close == std::string_view::npos) {
      segment.prefix = std::string(part);
    } else {
      if (open == std::string_view::npos || close == std::string_view::npos || close < open + 2 ||
          part.find('{', open + 1) != std::string_view::npos ||
          part.find('}', close + 1) != std::string_view::npos) {
        return InvalidArgument("route pattern '" + std::string(pattern) + "' has a malformed parameter in '" +
                               std::string(part) + "'");
      }
      segment.prefix = std::string(part.substr(0, open));
      segment.param = std::string(part.substr(open + 1, close - open - 1));
      segment.suffix = std::string(part.substr(close + 1));
      if (!names.insert(segment.param).second) {
        return InvalidArgument("route pattern '" + std::string(pattern) + "' repeats parameter '" +
                               segment.param + "'");
      }
    }
    route.literal_chars += segment.prefix.size() + segment.suffix.size() + 1;
    route.segments.push_back(std::move(segment));
  }
  for (const Route& r : routes_) {
    if (r.method == route.method && r.pattern == route.pattern) {
      return AlreadyExists("route " + route.method + " " + route.pattern + " is already registered");
    }
  }
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
  return Status::Ok();
}

bool Router::Match(const Route& route, const std::vector<std::string_view>& parts,
                   std::map<std::string, std::string, std::less<>>* params) {
  if (route.segments.size() != parts.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Segment& s = route.segments[i];
    std::string_view part = parts[i];
    if (s.param.empty()) {
      if (part != s.prefix) return false;
      continue;
    }
    if (part.size() <= s.prefix.size() + s.suffix.size() || !part.starts_with(s.prefix) ||
        !part.ends_with(s.suffix)) {
      return false;
    }
    std::string_view raw = part.substr(s.prefix.size(), part.size() - s.prefix.size() - s.suffix.size());
    std::optional<std::string> value = PercentDecode(raw);
    if (!value) return false;
    (*params)[s.param] = std::move(*value);
  }
  return true;
}

Router::Lookup Router::Find(std::string_view method, std::string_view path) const {
  // The most specific matching pattern decides, whatever its method: GET on a POST-only
  // "/v1/models/{m}:predict" is 405, not a GET of a model called "m:predict".
  std::vector<std::string_view> parts = SplitPath(path);
  Lookup result;
  size_t best_score = 0;
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    std::map<std::string, std::string, std::less<>> params;
    if (!Match(route, parts, &params)) continue;
    if (route.literal_chars < best_score) continue;
    if (route.literal_chars > best_score) {
      best_score = route.literal_chars;
      allowed.clear();
      result = Lookup();
    }
    allowed.insert(route.method);
    if (route.method == method && result.handler == nullptr) {
      result.outcome = Outcome::kFound;
      result.handler = &route.handler;
      result.params = std::move(params);
    }
  }
  if (result.handler == nullptr && !allowed.empty()) {
    result.outcome = Outcome::kMethodNotAllowed;
    for (const std::string& m : allowed) {
      if (!result.allowed_methods.empty()) result.allowed_methods += ", ";
      result.allowed_methods += m;
    }
  }
  return result;
}

}  // namespace s3ml::net
