// Router: maps (method, path) to a handler, with path parameters.
//
// Patterns are '/'-separated segments; a segment is a literal ("models") or a parameter with an
// optional literal prefix/suffix ("{name}", "{model}:predict", "v{n}"). A parameter matches one
// non-empty segment (no '/'); its value is percent-decoded. When several patterns match, the one
// with the most literal characters wins, so "/v1/models/{m}:predict" beats "/v1/models/{m}".
// A path that matches only under other methods yields kMethodNotAllowed (HTTP 405) with the list
// of allowed methods; no match at all yields kNotFound (404).
// Routes are added before the server starts; lookups are then read-only and thread-safe.
#ifndef S3ML_NET_ROUTER_H_
#define S3ML_NET_ROUTER_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "net/http_responder.h"

namespace s3ml::net {

class Router {
 public:
  enum class Outcome { kFound, kNotFound, kMethodNotAllowed };
  struct Lookup {
    Outcome outcome = Outcome::kNotFound;
    const HttpHandler* handler = nullptr;  // valid while the Router lives
    std::map<std::string, std::string, std::less<>> params;
    std::string allowed_methods;  // "GET, POST" for kMethodNotAllowed
  };

  // InvalidArgument for a malformed pattern (not starting with '/', unbalanced braces, two
  // parameters in one segment, a repeated parameter name) or an empty method or handler;
  // AlreadyExists for a duplicate (method, pattern).
  Status Add(std::string_view method, std::string_view pattern, HttpHandler handler);

  Lookup Find(std::string_view method, std::string_view path) const;

 private:
  struct Segment {
    std::string prefix;      // the whole literal when param is empty
    std::string param;       // parameter name, or empty for a literal segment
    std::string suffix;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    size_t literal_chars = 0;
    HttpHandler handler;
  };

  static bool Match(const Route& route, const std::vector<std::string_view>& parts,
                    std::map<std::string, std::string, std::less<>>* params);

  std::vector<Route> routes_;
};

}  // namespace s3ml::net

#endif  // S3ML_NET_ROUTER_H_
