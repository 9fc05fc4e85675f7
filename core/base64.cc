#include "core/base64.h"

#include <array>

namespace s3ml {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> DecodeTable() {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr std::array<int8_t, 256> kDecode = DecodeTable();

Status TooLarge(size_t max_decoded_bytes) {
  return ResourceExhausted("base64 text decodes to more than " + std::to_string(max_decoded_bytes) + " bytes");
}

}  // namespace

std::string Base64Encode(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8) | bytes[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t v = uint32_t{bytes[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    const uint32_t v = (uint32_t{bytes[i]} << 16) | (uint32_t{bytes[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string Base64Encode(std::string_view text) {
  return Base64Encode(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Result<std::vector<uint8_t>> Base64Decode(std::string_view text, size_t max_decoded_bytes) {
  if (text.size() % 4 != 0) {
    return InvalidArgument("base64 text of " + std::to_string(text.size()) + " characters is not a multiple of 4");
  }
  // Padding removes at most 2 bytes from the last group: checked exactly after decoding, and
  // roughly here so that nothing is allocated for text far over the limit.
  const size_t upper_bound = text.size() / 4 * 3;
  if (upper_bound > max_decoded_bytes && upper_bound - max_decoded_bytes > 2) return TooLarge(max_decoded_bytes);
  std::vector<uint8_t> out;
  out.reserve(upper_bound);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    uint32_t v[4];
    int padding = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++padding;
        continue;
      }
      if (padding > 0) return InvalidArgument("base64 padding '=' is followed by data");
      const int8_t d = kDecode[static_cast<uint8_t>(c)];
      if (d < 0) return InvalidArgument("base64 text has an invalid character at offset " + std::to_string(i + k));
      v[k] = static_cast<uint32_t>(d);
    }
    const uint32_t triple = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    // Non-canonical encodings (unused bits set before the padding) are refused.
    if ((padding == 1 && (triple & 0xff) != 0) || (padding == 2 && (triple & 0xffff) != 0)) {
      return InvalidArgument("base64 text is not canonical (unused bits set before padding)");
    }
    out.push_back(static_cast<uint8_t>(triple >> 16));
    if (padding < 2) out.push_back(static_cast<uint8_t>(triple >> 8));
    if (padding < 1) out.push_back(static_cast<uint8_t>(triple));
  }
  if (out.size() > max_decoded_bytes) return TooLarge(max_decoded_bytes);
  return out;
}

}  // namespace s3ml
