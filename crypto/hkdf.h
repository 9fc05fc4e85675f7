// HKDF-SHA256 (RFC 5869) through OpenSSL's EVP_KDF: derives length bytes of key material from a
// secret, a salt and a context label ("info"). Different info strings give independent keys.
#ifndef S3ML_CRYPTO_HKDF_H_
#define S3ML_CRYPTO_HKDF_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/status.h"
#include "crypto/secret_bytes.h"

namespace s3ml::crypto {

// length must be in [1, 255 * 32] (RFC 5869's limit); the secret must not be empty.
Result<SecretBytes> HkdfSha256(std::span<const uint8_t> secret, std::span<const uint8_t> salt,
                               std::span<const uint8_t> info, size_t length);

}  // namespace s3ml::crypto

#endif  // S3ML_CRYPTO_HKDF_H_
