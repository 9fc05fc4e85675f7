#include "cluster/prometheus_text.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

namespace s3ml::cluster {
namespace {

struct Sample {
  std::string_view name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

bool IsNameChar(char c, bool first) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  return alpha || (!first && c >= '0' && c <= '9');
}

std::optional<double> ParseValue(std::string_view text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "+Inf" || text == "Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  if (text.empty() || text.size() > 64) return std::nullopt;
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || errno == ERANGE) return std::nullopt;
  return v;
}

// One sample line; nullopt for a comment, a blank or a malformed line.
std::optional<Sample> ParseLine(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && IsNameChar(line[i], i == 0)) ++i;
  if (i == 0) return std::nullopt;
  Sample sample;
  sample.name = line.substr(0, i);
  if (i < line.size() && line[i] == '{') {
    ++i;
    for (;;) {
      while (i < line.size() && (line[i] == ' ' || line[i] == ',')) ++i;
      if (i < line.size() && line[i] == '}') {
        ++i;
        break;
      }
      const size_t key_start = i;
      while (i < line.size() && IsNameChar(line[i], i == key_start)) ++i;
      if (i == key_start || i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') return std::nullopt;
      std::string key(line.substr(key_start, i - key_start));
      i += 2;
      std::string value;
      for (;; ++i) {
        if (i >= line.size()) return std::nullopt;
        if (line[i] == '"') break;
        if (line[i] == '\\') {
          if (++i >= line.size()) return std::nullopt;
          const char e = line[i];
          if (e == 'n')
            value.push_back('\n');
          else if (e == '\\' || e == '"')
            value.push_back(e);
          else
            return std::nullopt;
        } else {
          value.push_back(line[i]);
        }
      }
      ++i;  // closing quote
      sample.labels.emplace(std::move(key), std::move(value));
    }
  }
  if (i >= line.size() || line[i] != ' ') return std::nullopt;
  while (i < line.size() && line[i] == ' ') ++i;
  size_t end = i;
  while (end < line.size() && line[end] != ' ') ++end;
  auto value = ParseValue(line.substr(i, end - i));
  if (!value) return std::nullopt;
  sample.value = *value;
  return sample;
}

}  // namespace

Result<double> FindPrometheusSample(std::string_view text, std::string_view name,
                                    const std::map<std::string, std::string>& labels) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    if (line.empty() || line.front() == '#' || line.substr(0, name.size()) != name) continue;
    auto sample = ParseLine(line);
    if (sample && sample->name == name && sample->labels == labels) return sample->value;
  }
  std::string series(name);
  series += "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    series += (first ? "" : ",") + k + "=\"" + v + "\"";
    first = false;
  }
  return NotFound("no sample " + series + "}");
}

}  // namespace s3ml::cluster
