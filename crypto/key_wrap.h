// Key wrapping for an EC P-384 public key (ECIES-style): a secret (a key) is encrypted so that
// only the holder of the matching private key can recover it. Used to wrap the ECS state key for
// the owner's offline recovery key.
//
// Wrap: a fresh ephemeral P-384 key pair; z = ECDH(ephemeral private, recipient public) (the
// shared x coordinate, 48 bytes); KEK = HKDF-SHA-384(ikm = z, salt = header's ephemeral point ||
// recipient key id, info = "s3ml key wrap v1" || 0x00 || label, 32 bytes); AES-256-GCM under KEK.
//
// Format version 1 (all integers little-endian):
//   "S3KW" | u8 format version (1) | u8 curve (2 = P-384) | recipient key id (32) |
//   u8 label length | label | ephemeral public key x||y (96) | nonce (12) | ciphertext | tag (16)
// recipient key id = SHA-256(recipient SubjectPublicKeyInfo DER). The whole header (everything
// before the nonce) is the AEAD's associated data, so no header byte can be altered unnoticed.
//
// Errors: kInvalidArgument for a key that is not P-384 (or, on unwrap, has no private half);
// kPermissionDenied for a blob wrapped for another key or label (named in the message); kDataLoss
// for a malformed, truncated or altered blob.
#ifndef S3ML_CRYPTO_KEY_WRAP_H_
#define S3ML_CRYPTO_KEY_WRAP_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/ec_key.h"
#include "crypto/secret_bytes.h"

namespace s3ml::crypto {

inline constexpr uint8_t kKeyWrapFormatVersion = 1;
inline constexpr size_t kMaxKeyWrapLabelSize = 255;
// Secrets larger than this are refused: this is for keys, not bulk data.
inline constexpr size_t kMaxWrappedSecretSize = 4096;

using KeyWrapRecipientId = std::array<uint8_t, 32>;

// SHA-256 of the key's SubjectPublicKeyInfo DER (works for public and private keys).
Result<KeyWrapRecipientId> KeyWrapRecipientIdOf(const EcKey& key);

// label: 1..255 bytes, separates uses (it must be given again to unwrap); secret: 1..4096 bytes.
Result<std::vector<uint8_t>> WrapKey(const EcKey& recipient_public_key, std::string_view label,
                                     std::span<const uint8_t> secret);

Result<SecretBytes> UnwrapKey(const EcKey& recipient_private_key, std::string_view label,
                              std::span<const uint8_t> wrapped);

struct KeyWrapHeader {
  uint8_t version = 0;
  KeyWrapRecipientId recipient{};
  std::string label;
  size_t size = 0;  // header bytes (the AAD)
};
// Reads only the header (no key needed), e.g. to learn which recovery key a blob is for.
Result<KeyWrapHeader> ParseKeyWrapHeader(std::span<const uint8_t> wrapped);

}  // namespace s3ml::crypto

#endif  // S3ML_CRYPTO_KEY_WRAP_H_
