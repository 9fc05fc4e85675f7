// HttpResponse: status, headers and body; helpers for JSON bodies and the JSON error shape
// {"error": "..."} that every s3ml endpoint uses for failures.
#ifndef S3ML_NET_HTTP_RESPONSE_H_
#define S3ML_NET_HTTP_RESPONSE_H_

#include <string>
#include <string_view>

#include "core/status.h"
#include "net/http_headers.h"

namespace s3ml::net {

struct HttpResponse {
  int status = 200;
  HttpHeaders headers;
  std::string body;

  // `body` is already JSON text; sets Content-Type: application/json.
  static HttpResponse Json(int status, std::string body);
  static HttpResponse Text(int status, std::string body);
  // {"error": message} with the given status.
  static HttpResponse Error(int status, std::string_view message);
  // Maps a Status code to its HTTP status (InvalidArgument 400, NotFound 404, PermissionDenied
  // 403, ResourceExhausted 429, Unavailable 503, DeadlineExceeded 504, ...) and its message.
  static HttpResponse FromStatus(const Status& status);
};

// A JSON string literal (with quotes) for `text`: the only JSON net/ writes itself.
std::string JsonQuote(std::string_view text);

}  // namespace s3ml::net

#endif  // S3ML_NET_HTTP_RESPONSE_H_
