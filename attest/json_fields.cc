#include "attest/json_fields.h"

#include "core/hex.h"
#include "core/time_format.h"

namespace s3ml::attest::json_fields {

Result<const nlohmann::json*> Member(const nlohmann::json& object, const std::string& path, const char* key) {
  if (!object.is_object()) return InvalidArgument(path + " is not an object");
  auto it = object.find(key);
  if (it == object.end()) return InvalidArgument(path + "." + key + " is missing");
  return &*it;
}

Result<std::string> String(const nlohmann::json& object, const std::string& path, const char* key) {
  S3ML_ASSIGN_OR_RETURN(const nlohmann::json* v, Member(object, path, key));
  if (!v->is_string()) return InvalidArgument(path + "." + key + " is not a string");
  return v->get<std::string>();
}

Result<int64_t> Integer(const nlohmann::json& object, const std::string& path, const char* key, int64_t min, int64_t max) {
  S3ML_ASSIGN_OR_RETURN(const nlohmann::json* v, Member(object, path, key));
  if (!v->is_number_integer()) return InvalidArgument(path + "." + key + " is not an integer");
  int64_t value = v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                      ? INT64_MAX
                      : v->get<int64_t>();
  if (value < min || value > max) {
    return InvalidArgument(path + "." + key + " " + std::to_string(value) + " is outside [" + std::to_string(min) +
                           ", " + std::to_string(max) + "]");
  }
  return value;
}

Result<std::vector<uint8_t>> HexBytes(const nlohmann::json& object, const std::string& path, const char* key, size_t size) {
  S3ML_ASSIGN_OR_RETURN(std::string text, String(object, path, key));
  auto bytes = HexDecode(text);
  if (!bytes.ok()) return bytes.status().WithContext(path + "." + key);
  if (bytes->size() != size) {
    return InvalidArgument(path + "." + key + " must be " + std::to_string(size) + " bytes, got " +
                           std::to_string(bytes->size()));
  }
  return std::move(bytes).value();
}

Result<int64_t> Time(const nlohmann::json& object, const std::string& path, const char* key) {
  S3ML_ASSIGN_OR_RETURN(std::string text, String(object, path, key));
  auto t = ParseRfc3339(text);
  if (!t.ok()) return t.status().WithContext(path + "." + key);
  return t.value();
}

Result<std::vector<std::string>> StringArray(const nlohmann::json& object, const std::string& path, const char* key,
                                             bool optional) {
  std::vector<std::string> out;
  if (optional && object.is_object() && !object.contains(key)) return out;
  S3ML_ASSIGN_OR_RETURN(const nlohmann::json* v, Member(object, path, key));
  if (!v->is_array()) return InvalidArgument(path + "." + key + " is not an array");
  for (size_t i = 0; i < v->size(); ++i) {
    if (!(*v)[i].is_string()) return InvalidArgument(path + "." + key + "[" + std::to_string(i) + "] is not a string");
    out.push_back((*v)[i].get<std::string>());
  }
  return out;
}

}  // namespace s3ml::attest::json_fields
