#include "ecs/strict_json.h"

#include <set>
#include <string>
#include <vector>

namespace s3ml::ecs {

Result<nlohmann::json> ParseStrictJson(std::string_view text, std::string_view what) {
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  auto callback = [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (event == E::object_start) {
      open_objects.emplace_back();
    } else if (event == E::object_end) {
      if (!open_objects.empty()) open_objects.pop_back();
    } else if (event == E::key && !open_objects.empty()) {
      const std::string key = parsed.get<std::string>();
      if (!open_objects.back().insert(key).second && duplicate.empty()) duplicate = key;
    }
    return true;
  };
  nlohmann::json j = nlohmann::json::parse(text, callback, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument(std::string(what) + " is not valid JSON");
  if (!duplicate.empty()) return InvalidArgument(std::string(what) + " has the key \"" + duplicate + "\" twice");
  return j;
}

}  // namespace s3ml::ecs
