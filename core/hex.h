// Lower-case hexadecimal encoding of byte strings (measurements, key ids, nonces).
#ifndef S3ML_CORE_HEX_H_
#define S3ML_CORE_HEX_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace s3ml {

std::string HexEncode(std::span<const uint8_t> bytes);
// Accepts upper or lower case; refuses odd lengths and non-hex characters.
Result<std::vector<uint8_t>> HexDecode(std::string_view hex);

}  // namespace s3ml

#endif  // S3ML_CORE_HEX_H_
