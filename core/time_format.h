// RFC 3339 / ISO 8601 UTC timestamps, as used by Intel's collateral ("2025-06-19T10:56:11Z") and
// by `--at` options.
#ifndef S3ML_CORE_TIME_FORMAT_H_
#define S3ML_CORE_TIME_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace s3ml {

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" into Unix seconds (fraction dropped).
Result<int64_t> ParseRfc3339(std::string_view text);

// Formats Unix seconds as "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatRfc3339(int64_t unix_seconds);

}  // namespace s3ml

#endif  // S3ML_CORE_TIME_FORMAT_H_
