// Turns a non-2xx answer of an s3ml service (ECS, model server) into a Status carrying the
// service's {"error": "..."} message (or the start of the body when it is not that shape):
// "<what>: HTTP 403: <error>". Codes: 400/405/415/422 kInvalidArgument, 401/403 kPermissionDenied,
// 404 kNotFound, 409 kAlreadyExists, 413/429 kResourceExhausted, 503/502 kUnavailable,
// 504 kDeadlineExceeded, anything else kFailedPrecondition (4xx) or kInternal (5xx).
#ifndef S3ML_CLIENT_HTTP_ERROR_H_
#define S3ML_CLIENT_HTTP_ERROR_H_

#include <string_view>

#include "core/status.h"
#include "net/http_response.h"

namespace s3ml::client {

Status HttpErrorStatus(std::string_view what, const net::HttpResponse& response);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_HTTP_ERROR_H_
