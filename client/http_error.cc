#include "client/http_error.h"

#include <string>

#include <nlohmann/json.hpp>

namespace s3ml::client {
namespace {

constexpr size_t kMaxMessage = 512;

std::string ErrorText(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    auto it = j.find("error");
    if (it != j.end() && it->is_string()) return it->get<std::string>().substr(0, kMaxMessage);
  }
  std::string text = body.substr(0, kMaxMessage);
  // Keep messages printable: a hostile server must not write escape sequences to a terminal.
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return text;
}

StatusCode CodeFor(int http_status) {
  switch (http_status) {
    case 400: case 405: case 415: case 422: return StatusCode::kInvalidArgument;
    case 401: case 403: return StatusCode::kPermissionDenied;
    case 404: return StatusCode::kNotFound;
    case 409: return StatusCode::kAlreadyExists;
    case 413: case 429: return StatusCode::kResourceExhausted;
    case 502: case 503: return StatusCode::kUnavailable;
    case 504: return StatusCode::kDeadlineExceeded;
    default: return http_status < 500 ? StatusCode::kFailedPrecondition : StatusCode::kInternal;
  }
}

}  // namespace

Status HttpErrorStatus(std::string_view what, const net::HttpResponse& response) {
  std::string message = std::string(what) + ": HTTP " + std::to_string(response.status);
  std::string error = ErrorText(response.body);
  if (!error.empty()) message += ": " + error;
  return Status(CodeFor(response.status), std::move(message));
}

}  // namespace s3ml::client
