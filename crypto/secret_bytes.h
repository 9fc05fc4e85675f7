// SecretBytes: an owned byte buffer for keys and other secrets. Its contents are wiped with
// OPENSSL_cleanse when it is destroyed, moved from or resized, so secrets do not linger in freed
// heap memory. Copying is explicit (Clone) so that secrets are not duplicated by accident.
#ifndef S3ML_CRYPTO_SECRET_BYTES_H_
#define S3ML_CRYPTO_SECRET_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace s3ml::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size) : bytes_(size, 0) {}
  explicit SecretBytes(std::span<const uint8_t> bytes) : bytes_(bytes.begin(), bytes.end()) {}
  ~SecretBytes();

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  SecretBytes Clone() const { return SecretBytes(span()); }

  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  std::span<uint8_t> span() { return bytes_; }
  std::span<const uint8_t> span() const { return bytes_; }

  // Wipes the contents and leaves the buffer empty.
  void Clear();
  // Shrinks to n bytes (n <= size()), wiping the bytes cut off.
  void Truncate(size_t n);

  // Constant-time comparison (the length is not secret).
  bool Equals(std::span<const uint8_t> other) const;

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace s3ml::crypto

#endif  // S3ML_CRYPTO_SECRET_BYTES_H_
