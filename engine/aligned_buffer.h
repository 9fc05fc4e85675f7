// AlignedBuffer: an owning, fixed-size block of engine memory taken from an engine::Allocator and
// returned to it on destruction (RAII for the arena, the constant store and derived weights).
#ifndef S3ML_ENGINE_ALIGNED_BUFFER_H_
#define S3ML_ENGINE_ALIGNED_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <utility>

#include "core/status.h"
#include "engine/allocator.h"

namespace s3ml::engine {

// Alignment of every engine buffer: a cache line, enough for any SIMD load XNNPACK issues.
inline constexpr size_t kBufferAlignment = 64;

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  ~AlignedBuffer() { Reset(); }
  AlignedBuffer(AlignedBuffer&& o) noexcept { *this = std::move(o); }
  AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
    if (this != &o) {
      Reset();
      allocator_ = std::exchange(o.allocator_, nullptr);
      data_ = std::exchange(o.data_, nullptr);
      size_ = std::exchange(o.size_, 0);
    }
    return *this;
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  // Zero-filled buffer of `size` bytes; kResourceExhausted when the allocator refuses.
  static Result<AlignedBuffer> Create(Allocator& allocator, size_t size, const char* what) {
    AlignedBuffer b;
    if (size == 0) return b;
    auto* data = static_cast<uint8_t*>(allocator.Allocate(size, kBufferAlignment));
    if (data == nullptr) {
      return ResourceExhausted(std::string("out of memory allocating ") + std::to_string(size) +
                               " bytes for " + what);
    }
    b.data_ = data;
    b.allocator_ = &allocator;
    b.size_ = size;
    std::memset(b.data_, 0, size);
    return b;
  }

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  std::span<uint8_t> span() { return {data_, size_}; }

 private:
  void Reset() {
    if (allocator_ != nullptr && data_ != nullptr) allocator_->Free(data_);
    data_ = nullptr;
    size_ = 0;
  }
  Allocator* allocator_ = nullptr;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace s3ml::engine

#endif  // S3ML_ENGINE_ALIGNED_BUFFER_H_
