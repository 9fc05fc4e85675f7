#include "tee/epc/page_cipher.h"

#include <openssl/evp.h>

#include "crypto/random.h"

namespace s3ml::tee::epc {

Result<PageCipher> PageCipher::CreateWithRandomKey() {
  S3ML_ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::RandomSecret(32));
  crypto::EvpCipherCtxPtr seal(EVP_CIPHER_CTX_new());
  crypto::EvpCipherCtxPtr open(EVP_CIPHER_CTX_new());
  if (!seal || !open ||
      EVP_EncryptInit_ex(seal.get(), EVP_aes_256_gcm(), nullptr, key.data(), nullptr) != 1 ||
      EVP_DecryptInit_ex(open.get(), EVP_aes_256_gcm(), nullptr, key.data(), nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(seal.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(open.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) != 1) {
    return crypto::OpenSslFailure(StatusCode::kInternal, "EPC page cipher init failed");
  }
  return PageCipher(std::move(seal), std::move(open));
}

bool PageCipher::Seal(const uint8_t nonce[kNonceSize], const uint8_t* aad, size_t aad_size,
                      const uint8_t* plaintext, size_t size, uint8_t* ciphertext, uint8_t tag[kTagSize]) {
  EVP_CIPHER_CTX* ctx = seal_.get();
  int len = 0;
  return EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce) == 1 &&
         EVP_EncryptUpdate(ctx, nullptr, &len, aad, static_cast<int>(aad_size)) == 1 &&
         EVP_EncryptUpdate(ctx, ciphertext, &len, plaintext, static_cast<int>(size)) == 1 &&
         EVP_EncryptFinal_ex(ctx, ciphertext + len, &len) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagSize, tag) == 1;
}

bool PageCipher::Open(const uint8_t nonce[kNonceSize], const uint8_t* aad, size_t aad_size,
                      const uint8_t* ciphertext, size_t size, const uint8_t tag[kTagSize], uint8_t* plaintext) {
  EVP_CIPHER_CTX* ctx = open_.get();
  int len = 0;
  // OpenSSL takes the expected tag through a non-const pointer but only reads it.
  return EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce) == 1 &&
         EVP_DecryptUpdate(ctx, nullptr, &len, aad, static_cast<int>(aad_size)) == 1 &&
         EVP_DecryptUpdate(ctx, plaintext, &len, ciphertext, static_cast<int>(size)) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagSize, const_cast<uint8_t*>(tag)) == 1 &&
         EVP_DecryptFinal_ex(ctx, plaintext + len, &len) == 1;
}

}  // namespace s3ml::tee::epc
