// Structured logging to stderr, one line per event: "ts=... level=... component=... msg=...".
// Never log secrets, request contents or model bytes.
#ifndef S3ML_CORE_LOG_H_
#define S3ML_CORE_LOG_H_

#include <string_view>

namespace s3ml {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Messages below this level are dropped (default kInfo; S3ML_LOG_LEVEL=debug|info|warning|error).
void SetMinLogLevel(LogLevel level);
void Log(LogLevel level, std::string_view component, std::string_view message);

}  // namespace s3ml

#endif  // S3ML_CORE_LOG_H_
