#include "core/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/clock.h"
#include "core/time_format.h"

namespace s3ml {
namespace {

LogLevel LevelFromEnvironment() {
  const char* v = std::getenv("S3ML_LOG_LEVEL");
  if (v == nullptr) return LogLevel::kInfo;
  if (std::strcmp(v, "debug") == 0) return LogLevel::kDebug;
  if (std::strcmp(v, "warning") == 0) return LogLevel::kWarning;
  if (std::strcmp(v, "error") == 0) return LogLevel::kError;
  return LogLevel::kInfo;
}

std::atomic<LogLevel>& MinLevel() {
  static std::atomic<LogLevel> level{LevelFromEnvironment()};
  return level;
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

void SetMinLogLevel(LogLevel level) { MinLevel().store(level); }

void Log(LogLevel level, std::string_view component, std::string_view message) {
  if (level < MinLevel().load()) return;
  std::string line = "ts=" + FormatRfc3339(SystemClock::Get().NowUnixSeconds()) + " level=" + LevelName(level) +
                     " component=" + std::string(component) + " msg=\"";
  for (char c : message) {
    if (c == '"' || c == '\\') line.push_back('\\');
    line.push_back(c == '\n' ? ' ' : c);
  }
  line += "\"\n";
  std::fwrite(line.data(), 1, line.size(), stderr);  // one write per line keeps lines whole
}

}  // namespace s3ml
