// AES-256-GCM authenticated encryption with associated data (OpenSSL EVP).
//
// Seal picks a fresh random 96-bit nonce per message and returns nonce(12) || ciphertext || tag(16).
// Open checks the tag over ciphertext and AAD before returning any plaintext: a wrong key, wrong
// AAD or any altered byte gives kDataLoss ("authentication failed"), never garbage plaintext.
// With random nonces a key must not seal more than 2^32 messages (NIST SP 800-38D).
#ifndef S3ML_CRYPTO_AES_GCM_H_
#define S3ML_CRYPTO_AES_GCM_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "crypto/secret_bytes.h"

namespace s3ml::crypto {

class Aes256Gcm {
 public:
  static constexpr size_t kKeySize = 32;
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  static constexpr size_t kOverhead = kNonceSize + kTagSize;

  // REQUIRES nothing: a key of the wrong size gives kInvalidArgument.
  static Result<Aes256Gcm> Create(std::span<const uint8_t> key);

  Result<std::vector<uint8_t>> Seal(std::span<const uint8_t> plaintext,
                                    std::span<const uint8_t> aad) const;
  // The plaintext may be a secret (a key): it is returned as SecretBytes.
  Result<SecretBytes> Open(std::span<const uint8_t> sealed, std::span<const uint8_t> aad) const;

  // Seal with a caller-chosen nonce, for callers that derive unique nonces themselves (e.g. a
  // page index). REQUIRES: the (key, nonce) pair is never reused.
  Result<std::vector<uint8_t>> SealWithNonce(std::span<const uint8_t> nonce,
                                             std::span<const uint8_t> plaintext,
                                             std::span<const uint8_t> aad) const;

 private:
  explicit Aes256Gcm(SecretBytes key) : key_(std::move(key)) {}
  SecretBytes key_;
};

}  // namespace s3ml::crypto

#endif  // S3ML_CRYPTO_AES_GCM_H_
