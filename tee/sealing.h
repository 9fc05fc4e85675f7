// Sealing: data encrypted so that only the same enclave identity (policy MRENCLAVE) or the same
// signer and product (policy MRSIGNER) on the same host can decrypt it, under the platform's
// seal key for the blob's label (AES-256-GCM, OpenSSL).
//
// Blob layout: "S3SL" | u8 format version (1) | u8 policy | u16le label length | label |
//              nonce(12) | ciphertext | tag(16)
// The whole header is the AEAD's associated data, so policy and label cannot be altered.
// Unseal errors: kDataLoss for a malformed, truncated or altered blob, and for a blob sealed by
// another identity or host (the key differs, so authentication fails; the two cases cannot be
// told apart by design); kPermissionDenied when the blob was sealed for another label;
// kResourceExhausted above max_size.
#ifndef S3ML_TEE_SEALING_H_
#define S3ML_TEE_SEALING_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/secret_bytes.h"
#include "tee/platform.h"

namespace s3ml::tee {

inline constexpr uint8_t kSealedFormatVersion = 1;
inline constexpr size_t kDefaultMaxSealedSize = 256u << 20;

struct SealedHeader {
  uint8_t version = 0;
  SealKeyPolicy policy = SealKeyPolicy::kMrEnclave;
  std::string label;
  size_t size = 0;  // header bytes
};

Result<std::vector<uint8_t>> Seal(Platform& platform, SealKeyPolicy policy, std::string_view label,
                                  std::span<const uint8_t> plaintext);

Result<crypto::SecretBytes> Unseal(Platform& platform, std::string_view expected_label, std::span<const uint8_t> sealed,
                                   size_t max_size = kDefaultMaxSealedSize);

// Reads only the header (no key needed), e.g. to report what a file holds.
Result<SealedHeader> ParseSealedHeader(std::span<const uint8_t> sealed);

}  // namespace s3ml::tee

#endif  // S3ML_TEE_SEALING_H_
