// Typed, range-checked reads of JSON object members for the collateral parsers. Every failure is
// kInvalidArgument naming the member's path ("tcbInfo.tcbLevels[2].tcb.pcesvn").
#ifndef S3ML_ATTEST_JSON_FIELDS_H_
#define S3ML_ATTEST_JSON_FIELDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace s3ml::attest::json_fields {

Result<const nlohmann::json*> Member(const nlohmann::json& object, const std::string& path, const char* key);
Result<std::string> String(const nlohmann::json& object, const std::string& path, const char* key);
Result<int64_t> Integer(const nlohmann::json& object, const std::string& path, const char* key, int64_t min, int64_t max);
// A hex string of exactly `size` bytes.
Result<std::vector<uint8_t>> HexBytes(const nlohmann::json& object, const std::string& path, const char* key, size_t size);
// An RFC 3339 timestamp, as Unix seconds.
Result<int64_t> Time(const nlohmann::json& object, const std::string& path, const char* key);
// An array of strings (absent -> empty when optional).
Result<std::vector<std::string>> StringArray(const nlohmann::json& object, const std::string& path, const char* key,
                                             bool optional);

}  // namespace s3ml::attest::json_fields

#endif  // S3ML_ATTEST_JSON_FIELDS_H_
