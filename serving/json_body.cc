#include "serving/json_body.h"

#include <string>

namespace s3ml::serving {
namespace {

// Bracket depth outside strings; cheap, and keeps every later recursive walk (ours and the
// library's dump) bounded.
size_t MaxNestingDepth(std::string_view text) {
  size_t depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) max_depth = depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

}  // namespace

Result<nlohmann::json> ParseJsonBody(std::string_view text, std::string_view what) {
  if (MaxNestingDepth(text) > kMaxJsonBodyDepth) {
    return InvalidArgument(std::string(what) + ": JSON is nested deeper than " +
                           std::to_string(kMaxJsonBodyDepth) + " levels");
  }
  // nlohmann reports syntax errors by exception; it must not leave this function.
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string(what) + ": malformed JSON: " + e.what());
  }
}

}  // namespace s3ml::serving
