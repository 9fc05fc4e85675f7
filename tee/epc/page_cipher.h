// PageCipher: AES-256-GCM over one EPC page with contexts prepared in advance, so that sealing and
// opening a page allocate nothing and can run inside the SIGSEGV handler.
//
// crypto::Aes256Gcm creates an EVP context and a std::vector per call, which is not allowed in a
// signal handler; this class keeps two OpenSSL EVP contexts keyed once at creation and only
// re-initialises the nonce per page (still OpenSSL doing all the cryptography). Not thread-safe:
// the owner serialises calls (EnclaveMemory does so under its host lock).
#ifndef S3ML_TEE_EPC_PAGE_CIPHER_H_
#define S3ML_TEE_EPC_PAGE_CIPHER_H_

#include <cstddef>
#include <cstdint>

#include "core/status.h"
#include "crypto/openssl_util.h"
#include "crypto/secret_bytes.h"

namespace s3ml::tee::epc {

class PageCipher {
 public:
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;

  // A fresh random 256-bit key (crypto::RandomSecret) that never leaves this object.
  static Result<PageCipher> CreateWithRandomKey();

  // Encrypts page_size bytes of plaintext into ciphertext and writes the tag. Returns false only if
  // OpenSSL fails. Async-signal-safe in practice: no allocation.
  bool Seal(const uint8_t nonce[kNonceSize], const uint8_t* aad, size_t aad_size, const uint8_t* plaintext,
            size_t size, uint8_t* ciphertext, uint8_t tag[kTagSize]);
  // Decrypts into plaintext and verifies the tag; false if the tag, nonce or AAD do not match
  // (plaintext then holds unauthenticated bytes the caller must not use).
  bool Open(const uint8_t nonce[kNonceSize], const uint8_t* aad, size_t aad_size, const uint8_t* ciphertext,
            size_t size, const uint8_t tag[kTagSize], uint8_t* plaintext);

 private:
  PageCipher(crypto::EvpCipherCtxPtr seal, crypto::EvpCipherCtxPtr open)
      : seal_(std::move(seal)), open_(std::move(open)) {}
  crypto::EvpCipherCtxPtr seal_;
  crypto::EvpCipherCtxPtr open_;
};

}  // namespace s3ml::tee::epc

#endif  // S3ML_TEE_EPC_PAGE_CIPHER_H_
