#include "client/label_map.h"

#include "core/file.h"

namespace s3ml::client {

LabelMap LabelMap::Parse(std::string_view text) {
  LabelMap map;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    map.labels_.emplace_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return map;
}

Result<LabelMap> LabelMap::Load(const std::string& path) {
  Result<std::string> text = ReadFileText(path, kMaxLabelFileBytes);
  if (!text.ok()) return text.status().WithContext("labels " + path);
  return Parse(*text);
}

std::string_view LabelMap::Name(size_t index) const {
  return index < labels_.size() ? std::string_view(labels_[index]) : std::string_view();
}

}  // namespace s3ml::client
