// ParseStrictJson: JSON parsing for security-relevant documents (manifests, request bodies).
// Besides syntax errors it refuses duplicate object keys at any depth: nlohmann keeps the last
// value silently while other parsers keep the first, so a duplicate could mean one thing to the
// owner's tools and another to the ECS. Errors are kInvalidArgument prefixed with `what`.
#ifndef S3ML_ECS_STRICT_JSON_H_
#define S3ML_ECS_STRICT_JSON_H_

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace s3ml::ecs {

Result<nlohmann::json> ParseStrictJson(std::string_view text, std::string_view what);

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_STRICT_JSON_H_
