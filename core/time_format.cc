#include "core/time_format.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace s3ml {
namespace {

bool ParseDigits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t pos, char c) { return pos < s.size() && s[pos] == c; }

}  // namespace

Result<int64_t> ParseRfc3339(std::string_view text) {
  const auto bad = [&] { return InvalidArgument("not an RFC 3339 time: \"" + std::string(text.substr(0, 64)) + "\""); };
  int year, month, day, hour, minute, second;
  if (!ParseDigits(text, 0, 4, &year) || !Expect(text, 4, '-') || !ParseDigits(text, 5, 2, &month) ||
      !Expect(text, 7, '-') || !ParseDigits(text, 8, 2, &day) ||
      !(Expect(text, 10, 'T') || Expect(text, 10, 't') || Expect(text, 10, ' ')) ||
      !ParseDigits(text, 11, 2, &hour) || !Expect(text, 13, ':') || !ParseDigits(text, 14, 2, &minute) ||
      !Expect(text, 16, ':') || !ParseDigits(text, 17, 2, &second)) {
    return bad();
  }
  size_t pos = 19;
  if (Expect(text, pos, '.')) {
    ++pos;
    const size_t digits_start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == digits_start) return bad();
  }
  int offset_seconds = 0;
  if (Expect(text, pos, 'Z') || Expect(text, pos, 'z')) {
    ++pos;
  } else if (Expect(text, pos, '+') || Expect(text, pos, '-')) {
    const int sign = text[pos] == '+' ? 1 : -1;
    int oh, om;
    if (!ParseDigits(text, pos + 1, 2, &oh) || !Expect(text, pos + 3, ':') || !ParseDigits(text, pos + 4, 2, &om) ||
        oh > 23 || om > 59) {
      return bad();
    }
    offset_seconds = sign * (oh * 3600 + om * 60);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();

  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return bad();
  const int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
}

std::string FormatRfc3339(int64_t unix_seconds) {
  int64_t days = unix_seconds / 86400;
  int64_t rem = unix_seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(days))};
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(rem / 3600),
                static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  return buf;
}

}  // namespace s3ml
