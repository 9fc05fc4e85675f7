#include "core/byte_reader.h"

#include <cstring>

namespace s3ml {
namespace {

template <typename T>
bool ReadLe(ByteReader* r, T* out) {
  std::span<const uint8_t> b;
  if (!r->ReadBytes(sizeof(T), &b)) return false;
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(b[i]) << (8 * i));
  *out = v;
  return true;
}

template <typename T>
bool ReadBe(ByteReader* r, T* out) {
  std::span<const uint8_t> b;
  if (!r->ReadBytes(sizeof(T), &b)) return false;
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>((v << 8) | b[i]);
  *out = v;
  return true;
}

}  // namespace

bool ByteReader::ReadU8(uint8_t* out) { return ReadLe(this, out); }
bool ByteReader::ReadU16Le(uint16_t* out) { return ReadLe(this, out); }
bool ByteReader::ReadU32Le(uint32_t* out) { return ReadLe(this, out); }
bool ByteReader::ReadU64Le(uint64_t* out) { return ReadLe(this, out); }
bool ByteReader::ReadU16Be(uint16_t* out) { return ReadBe(this, out); }
bool ByteReader::ReadU32Be(uint32_t* out) { return ReadBe(this, out); }

bool ByteReader::ReadBytes(size_t n, std::span<const uint8_t>* out) {
  if (n > remaining()) return false;
  *out = data_.subspan(pos_, n);
  pos_ += n;
  return true;
}

bool ByteReader::CopyBytes(std::span<uint8_t> out) {
  std::span<const uint8_t> b;
  if (!ReadBytes(out.size(), &b)) return false;
  if (!b.empty()) std::memcpy(out.data(), b.data(), b.size());
  return true;
}

bool ByteReader::ReadU16LePrefixed(std::span<const uint8_t>* out) {
  const size_t start = pos_;
  uint16_t n;
  if (!ReadU16Le(&n) || !ReadBytes(n, out)) {
    pos_ = start;
    return false;
  }
  return true;
}

bool ByteReader::ReadU32LePrefixed(std::span<const uint8_t>* out) {
  const size_t start = pos_;
  uint32_t n;
  if (!ReadU32Le(&n) || !ReadBytes(n, out)) {
    pos_ = start;
    return false;
  }
  return true;
}

bool ByteReader::Skip(size_t n) {
  std::span<const uint8_t> ignored;
  return ReadBytes(n, &ignored);
}

}  // namespace s3ml
