#include "crypto/secret_bytes.h"

#include <openssl/crypto.h>

#include <utility>

namespace s3ml::crypto {

SecretBytes::~SecretBytes() { Clear(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {
  other.bytes_.clear();
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Clear();
    // Moving a vector transfers its heap block, so no copy of the secret is left behind.
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

void SecretBytes::Clear() {
  if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  bytes_.clear();
}

void SecretBytes::Truncate(size_t n) {
  if (n >= bytes_.size()) return;
  OPENSSL_cleanse(bytes_.data() + n, bytes_.size() - n);
  bytes_.resize(n);
}

bool SecretBytes::Equals(std::span<const uint8_t> other) const {
  if (other.size() != bytes_.size()) return false;
  if (bytes_.empty()) return true;
  return CRYPTO_memcmp(bytes_.data(), other.data(), bytes_.size()) == 0;
}

}  // namespace s3ml::crypto
