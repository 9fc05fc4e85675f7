// SHA-256 and SHA-384 over byte strings (OpenSSL EVP). One-shot helpers for the common case and
// an incremental Digester for data that arrives in pieces.
#ifndef S3ML_CRYPTO_DIGEST_H_
#define S3ML_CRYPTO_DIGEST_H_

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "crypto/openssl_util.h"

namespace s3ml::crypto {

using Sha256Digest = std::array<uint8_t, 32>;
using Sha384Digest = std::array<uint8_t, 48>;

enum class DigestAlgorithm { kSha256, kSha384 };

// The EVP_MD for an algorithm (a static OpenSSL object, never freed).
const EVP_MD* EvpMd(DigestAlgorithm algorithm);

Sha256Digest Sha256(std::span<const uint8_t> data);
Sha384Digest Sha384(std::span<const uint8_t> data);

// Incremental hashing: Update() any number of times, then Finish() once.
class Digester {
 public:
  explicit Digester(DigestAlgorithm algorithm);
  Digester& Update(std::span<const uint8_t> data);
  // REQUIRES: not called before on this object.
  std::vector<uint8_t> Finish();

 private:
  EvpMdCtxPtr ctx_;
};

}  // namespace s3ml::crypto

#endif  // S3ML_CRYPTO_DIGEST_H_
