// ByteReader: the one way s3ml reads untrusted binary input (quotes, certificates extensions,
// sealed blobs, encrypted model headers, state files), like BoringSSL's CBS.
//
// A cursor over a borrowed byte span. Every read checks the remaining length first and returns
// false on a short read, leaving the cursor where it was. Integers are little-endian unless the
// name says otherwise. The span must outlive the reader and everything it hands out.
#ifndef S3ML_CORE_BYTE_READER_H_
#define S3ML_CORE_BYTE_READER_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace s3ml {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  size_t remaining() const { return data_.size() - pos_; }
  size_t offset() const { return pos_; }
  bool empty() const { return remaining() == 0; }
  std::span<const uint8_t> rest() const { return data_.subspan(pos_); }

  [[nodiscard]] bool ReadU8(uint8_t* out);
  [[nodiscard]] bool ReadU16Le(uint16_t* out);
  [[nodiscard]] bool ReadU32Le(uint32_t* out);
  [[nodiscard]] bool ReadU64Le(uint64_t* out);
  [[nodiscard]] bool ReadU16Be(uint16_t* out);
  [[nodiscard]] bool ReadU32Be(uint32_t* out);

  // Hands out the next n bytes (a view into the underlying span) and advances.
  [[nodiscard]] bool ReadBytes(size_t n, std::span<const uint8_t>* out);
  // Copies the next out.size() bytes into out and advances.
  [[nodiscard]] bool CopyBytes(std::span<uint8_t> out);
  // Reads a little-endian u16/u32 length, then that many bytes.
  [[nodiscard]] bool ReadU16LePrefixed(std::span<const uint8_t>* out);
  [[nodiscard]] bool ReadU32LePrefixed(std::span<const uint8_t>* out);
  [[nodiscard]] bool Skip(size_t n);

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

// A span over the bytes of a string, for hashing or comparing text as bytes.
inline std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace s3ml

#endif  // S3ML_CORE_BYTE_READER_H_
