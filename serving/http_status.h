// How serving errors reach HTTP clients: a status code chosen from the Status code, and a JSON
// body {"error": "<message>"} (the shape both KServe v2 and TF-Serving use).
//
// kResourceExhausted maps to 503 because inside serving/ it only means "queue full, retry later";
// the HTTP layer answers 413 for oversized bodies itself, before any codec runs.
#ifndef S3ML_SERVING_HTTP_STATUS_H_
#define S3ML_SERVING_HTTP_STATUS_H_

#include <string>

#include "core/status.h"

namespace s3ml::serving {

// 200 for ok; 400 for bad input (kInvalidArgument, kOutOfRange, kUnimplemented,
// kFailedPrecondition); 403, 404, 409, 503 (kResourceExhausted, kUnavailable), 504; 500 otherwise.
int HttpStatusFor(const Status& status);

// {"error":"..."}; the message is JSON-escaped (it may quote request text).
std::string ErrorBodyJson(const Status& status);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_HTTP_STATUS_H_
