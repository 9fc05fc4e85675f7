// Standard base64 (RFC 4648 section 4, with padding), as docs/protocol.md uses for binary JSON
// payloads: manifests, quotes, model keys, owner signatures.
//
// Decoding is strict, so that two different strings never decode to the same bytes: characters
// outside the alphabet (including whitespace and the URL-safe '-' '_'), a length that is not a
// multiple of 4, missing or misplaced padding, and unused bits set before the padding are
// kInvalidArgument. Text that would decode to more than max_decoded_bytes is refused before any
// decoding (kResourceExhausted), so a caller bounds memory by what it expects.
// Base64 is an encoding, not cryptography: a table-driven codec here keeps core/ free of OpenSSL
// (whose EVP_DecodeBlock accepts whitespace and does not report padding).
#ifndef S3ML_CORE_BASE64_H_
#define S3ML_CORE_BASE64_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace s3ml {

inline constexpr size_t kDefaultMaxBase64DecodedBytes = size_t{64} << 20;

std::string Base64Encode(std::span<const uint8_t> bytes);
std::string Base64Encode(std::string_view text);
Result<std::vector<uint8_t>> Base64Decode(std::string_view text,
                                          size_t max_decoded_bytes = kDefaultMaxBase64DecodedBytes);

}  // namespace s3ml

#endif  // S3ML_CORE_BASE64_H_
