// Conversion between the two encodings of an ECDSA signature: DER (X.509, TLS, OpenSSL) and raw
// fixed-width big-endian r||s (SGX quotes, Intel's collateral JSON).
#ifndef S3ML_CRYPTO_ECDSA_SIGNATURE_H_
#define S3ML_CRYPTO_ECDSA_SIGNATURE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"

namespace s3ml::crypto {

// raw must be 2 * field_size bytes (64 for P-256, 96 for P-384).
Result<std::vector<uint8_t>> EcdsaRawToDer(std::span<const uint8_t> raw);
// Fails on malformed DER, trailing bytes, or r/s wider than field_size bytes.
Result<std::vector<uint8_t>> EcdsaDerToRaw(std::span<const uint8_t> der, size_t field_size);

}  // namespace s3ml::crypto

#endif  // S3ML_CRYPTO_ECDSA_SIGNATURE_H_
