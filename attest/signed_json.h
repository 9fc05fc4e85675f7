// SignedJson: Intel's signed collateral documents, {"<member>": {...}, "signature": "<hex r||s>"}.
//
// The signature covers the member's value exactly as its bytes stand in the file, so the raw
// substring is extracted here instead of re-serialising parsed JSON (which could reorder keys or
// reformat numbers). The document must be valid JSON with exactly these two members, each once.
#ifndef S3ML_ATTEST_SIGNED_JSON_H_
#define S3ML_ATTEST_SIGNED_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace s3ml::attest {

struct SignedJson {
  std::string signed_text;         // the member's value, byte-exact
  nlohmann::json value;            // the same value, parsed
  std::vector<uint8_t> signature;  // raw r||s (64 bytes for P-256)
};

// Documents larger than this are refused (real ones are a few KB).
inline constexpr size_t kMaxSignedJsonSize = 1 << 20;

Result<SignedJson> ParseSignedJson(std::string_view document, std::string_view member_name);

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_SIGNED_JSON_H_
