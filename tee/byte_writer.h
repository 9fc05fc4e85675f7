// ByteWriter: appends little-endian integers and byte strings to a buffer; the writing
// counterpart of core/byte_reader.h for the binary formats tee/ produces (quotes, the QE
// protocol, sigstructs, sealed blobs).
#ifndef S3ML_TEE_BYTE_WRITER_H_
#define S3ML_TEE_BYTE_WRITER_H_

#include <cstdint>
#include <span>
#include <vector>

namespace s3ml::tee {

class ByteWriter {
 public:
  void U8(uint8_t v) { bytes_.push_back(v); }
  void U16Le(uint16_t v) {
    for (int i = 0; i < 2; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void U32Le(uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void U64Le(uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void Bytes(std::span<const uint8_t> b) { bytes_.insert(bytes_.end(), b.begin(), b.end()); }
  void Zeros(size_t n) { bytes_.insert(bytes_.end(), n, 0); }

  size_t size() const { return bytes_.size(); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  std::vector<uint8_t> Take() { return std::move(bytes_); }

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace s3ml::tee

#endif  // S3ML_TEE_BYTE_WRITER_H_
