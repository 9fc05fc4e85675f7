// Cryptographically secure random bytes from OpenSSL's DRBG (RAND_bytes), for nonces, keys and
// challenge values.
#ifndef S3ML_CRYPTO_RANDOM_H_
#define S3ML_CRYPTO_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "crypto/secret_bytes.h"

namespace s3ml::crypto {

// Fills out; fails (kInternal) only if the DRBG cannot be seeded.
Status FillRandom(std::span<uint8_t> out);
Result<std::vector<uint8_t>> RandomBytes(size_t n);
// For key material: the result is wiped on destruction.
Result<SecretBytes> RandomSecret(size_t n);

}  // namespace s3ml::crypto

#endif  // S3ML_CRYPTO_RANDOM_H_
