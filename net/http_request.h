// HttpRequest: one HTTP request as the server hands it to a handler, or as a client sends it.
#ifndef S3ML_NET_HTTP_REQUEST_H_
#define S3ML_NET_HTTP_REQUEST_H_

#include <map>
#include <memory>
#include <string>

#include "net/http_headers.h"
#include "net/peer_info.h"

namespace s3ml::net {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path plus optional "?query"
  std::string path;    // target up to '?'
  std::string query;   // after '?', undecoded; empty if none
  HttpHeaders headers;
  std::string body;

  // Server side only: the router's path parameters (percent-decoded), the verified TLS peer
  // (never null; empty for plaintext) and the client's address "ip:port".
  std::map<std::string, std::string, std::less<>> path_params;
  std::shared_ptr<const PeerInfo> peer;
  std::string remote_address;

  // The path parameter called `name`, or "" when the route has none.
  std::string_view PathParam(std::string_view name) const {
    auto it = path_params.find(name);
    return it == path_params.end() ? std::string_view() : std::string_view(it->second);
  }
};

}  // namespace s3ml::net

#endif  // S3ML_NET_HTTP_REQUEST_H_
