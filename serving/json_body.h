// Parsing untrusted JSON request bodies into nlohmann::json without exceptions escaping.
#ifndef S3ML_SERVING_JSON_BODY_H_
#define S3ML_SERVING_JSON_BODY_H_

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace s3ml::serving {

// Parses `text` as one JSON value (kInvalidArgument with the parser's position on failure).
// Nesting deeper than kMaxJsonBodyDepth is refused before parsing so later recursive walks
// stay bounded.
inline constexpr size_t kMaxJsonBodyDepth = 64;
Result<nlohmann::json> ParseJsonBody(std::string_view text, std::string_view what);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_JSON_BODY_H_
