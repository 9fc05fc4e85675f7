#include "net/http_response.h"

#include <cstdio>

namespace s3ml::net {

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.Set("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.Set("Content-Type", "text/plain; charset=utf-8");
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::Error(int status, std::string_view message) {
  return Json(status, "{\"error\":" + JsonQuote(message) + "}");
}

HttpResponse HttpResponse::FromStatus(const Status& status) {
  int http = 500;
  switch (status.code()) {
    case StatusCode::kOk: http = 200; break;
    case StatusCode::kInvalidArgument: http = 400; break;
    case StatusCode::kOutOfRange: http = 400; break;
    case StatusCode::kNotFound: http = 404; break;
    case StatusCode::kAlreadyExists: http = 409; break;
    case StatusCode::kPermissionDenied: http = 403; break;
    case StatusCode::kFailedPrecondition: http = 409; break;
    case StatusCode::kUnimplemented: http = 501; break;
    case StatusCode::kResourceExhausted: http = 429; break;
    case StatusCode::kUnavailable: http = 503; break;
    case StatusCode::kDeadlineExceeded: http = 504; break;
    case StatusCode::kDataLoss: http = 500; break;
    case StatusCode::kInternal: http = 500; break;
  }
  return Error(http, status.message());
}

// Hand-written because net/ stays free of a JSON library for one escaped string.
std::string JsonQuote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        // Control bytes and non-ASCII bytes are escaped one by one so the result is valid JSON
        // even when the message quotes raw, possibly non-UTF-8, input.
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x80) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace s3ml::net
