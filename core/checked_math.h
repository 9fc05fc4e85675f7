// Overflow-checked integer arithmetic for sizes computed from untrusted input.
// Each returns false (and leaves *out unspecified) when the exact result does not fit.
#ifndef S3ML_CORE_CHECKED_MATH_H_
#define S3ML_CORE_CHECKED_MATH_H_

#include <cstddef>
#include <cstdint>

namespace s3ml {

template <typename T>
[[nodiscard]] bool CheckedAdd(T a, T b, T* out) { return !__builtin_add_overflow(a, b, out); }

template <typename T>
[[nodiscard]] bool CheckedMul(T a, T b, T* out) { return !__builtin_mul_overflow(a, b, out); }

// Rounds x up to a multiple of align (a power of two).
[[nodiscard]] inline bool CheckedAlignUp(size_t x, size_t align, size_t* out) {
  size_t sum;
  if (!CheckedAdd(x, align - 1, &sum)) return false;
  *out = sum & ~(align - 1);
  return true;
}

}  // namespace s3ml

#endif  // S3ML_CORE_CHECKED_MATH_H_
