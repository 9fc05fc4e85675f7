#include "crypto/aes_gcm.h"

#include <openssl/evp.h>

#include <string>

#include "crypto/openssl_util.h"
#include "crypto/random.h"

namespace s3ml::crypto {

Result<Aes256Gcm> Aes256Gcm::Create(std::span<const uint8_t> key) {
  if (key.size() != kKeySize) {
    return InvalidArgument("AES-256-GCM key must be 32 bytes, got " + std::to_string(key.size()));
  }
  return Aes256Gcm(SecretBytes(key));
}

Result<std::vector<uint8_t>> Aes256Gcm::Seal(std::span<const uint8_t> plaintext,
                                             std::span<const uint8_t> aad) const {
  uint8_t nonce[kNonceSize];
  S3ML_RETURN_IF_ERROR(FillRandom(nonce));
  return SealWithNonce(nonce, plaintext, aad);
}

Result<std::vector<uint8_t>> Aes256Gcm::SealWithNonce(std::span<const uint8_t> nonce,
                                                      std::span<const uint8_t> plaintext,
                                                      std::span<const uint8_t> aad) const {
  if (nonce.size() != kNonceSize) return InvalidArgument("AES-GCM nonce must be 12 bytes");
  S3ML_RETURN_IF_ERROR(CheckIntSize(plaintext.size(), "AES-GCM plaintext"));
  S3ML_RETURN_IF_ERROR(CheckIntSize(aad.size(), "AES-GCM AAD"));
  if (plaintext.size() > static_cast<size_t>(INT32_MAX) - kOverhead) {
    return ResourceExhausted("AES-GCM plaintext is too large");
  }
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce.data()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "AES-GCM encrypt init failed");
  }
  std::vector<uint8_t> out(kNonceSize + plaintext.size() + kTagSize);
  std::copy(nonce.begin(), nonce.end(), out.begin());
  int len = 0;
  if (!aad.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "AES-GCM AAD failed");
  }
  size_t written = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx.get(), out.data() + kNonceSize, &len, plaintext.data(),
                          static_cast<int>(plaintext.size())) != 1) {
      return OpenSslFailure(StatusCode::kInternal, "AES-GCM encrypt failed");
    }
    written = static_cast<size_t>(len);
  }
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonceSize + written, &len) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "AES-GCM encrypt final failed");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                          out.data() + kNonceSize + plaintext.size()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "AES-GCM get tag failed");
  }
  return out;
}

Result<SecretBytes> Aes256Gcm::Open(std::span<const uint8_t> sealed,
                                    std::span<const uint8_t> aad) const {
  if (sealed.size() < kOverhead) {
    return InvalidArgument("AES-GCM message is truncated: " + std::to_string(sealed.size()) +
                           " bytes, need at least " + std::to_string(kOverhead));
  }
  S3ML_RETURN_IF_ERROR(CheckIntSize(sealed.size(), "AES-GCM ciphertext"));
  S3ML_RETURN_IF_ERROR(CheckIntSize(aad.size(), "AES-GCM AAD"));
  auto nonce = sealed.first(kNonceSize);
  auto ciphertext = sealed.subspan(kNonceSize, sealed.size() - kOverhead);
  auto tag = sealed.last(kTagSize);

  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce.data()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "AES-GCM decrypt init failed");
  }
  int len = 0;
  if (!aad.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "AES-GCM AAD failed");
  }
  SecretBytes plain(ciphertext.size());
  if (!ciphertext.empty() &&
      EVP_DecryptUpdate(ctx.get(), plain.data(), &len, ciphertext.data(),
                        static_cast<int>(ciphertext.size())) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "AES-GCM decrypt failed");
  }
  // OpenSSL's API takes a non-const tag pointer but only reads it.
  uint8_t tag_copy[kTagSize];
  std::copy(tag.begin(), tag.end(), tag_copy);
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag_copy) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "AES-GCM set tag failed");
  }
  uint8_t final_block[16];
  if (EVP_DecryptFinal_ex(ctx.get(), final_block, &len) != 1) {
    DrainOpenSslErrors("");
    return DataLoss("AES-GCM authentication failed: wrong key, wrong associated data or tampered ciphertext");
  }
  return plain;
}

}  // namespace s3ml::crypto
