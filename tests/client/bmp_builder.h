// Test helper: writes small BMP files from an Image, so decoder tests need no binary fixtures.
#ifndef S3ML_TESTS_CLIENT_BMP_BUILDER_H_
#define S3ML_TESTS_CLIENT_BMP_BUILDER_H_

#include <cstdint>
#include <cstring>
#include <vector>

#include "client/image.h"

namespace s3ml::client::testing {

// Byte offsets of BMP header fields, for tests that corrupt them.
inline constexpr size_t kFileSizeOffset = 2;
inline constexpr size_t kPixelOffsetOffset = 10;
inline constexpr size_t kHeaderSizeOffset = 14;
inline constexpr size_t kWidthOffset = 18;
inline constexpr size_t kHeightOffset = 22;
inline constexpr size_t kPlanesOffset = 26;
inline constexpr size_t kBitsOffset = 28;
inline constexpr size_t kCompressionOffset = 30;
inline constexpr size_t kColorsUsedOffset = 46;

struct BmpOptions {
  int bits = 24;             // 8 (grey palette for 1-channel images, else a palette of the colours), 24, 32
  uint32_t header_size = 40;
  bool top_down = false;
  bool bitfields = false;    // 32 bits only: BI_BITFIELDS with masks R=0xff00, G=0xff0000, B=0xff000000
};

inline void PutU16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v);
  b[at + 1] = static_cast<uint8_t>(v >> 8);
}
inline void PutU32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

inline std::vector<uint8_t> BuildBmp(const Image& image, const BmpOptions& options = {}) {
  std::vector<uint8_t> palette;  // BGRX
  std::vector<uint8_t> indices;
  if (options.bits == 8) {
    if (image.channels == 1) {
      for (int i = 0; i < 256; ++i) palette.insert(palette.end(), {uint8_t(i), uint8_t(i), uint8_t(i), 0});
      indices = image.pixels;
    } else {
      for (size_t p = 0; p < image.pixels.size(); p += 3) {
        const uint8_t bgrx[4] = {image.pixels[p + 2], image.pixels[p + 1], image.pixels[p], 0};
        size_t entry = 0;
        while (entry * 4 < palette.size() && std::memcmp(&palette[entry * 4], bgrx, 4) != 0) ++entry;
        if (entry * 4 == palette.size()) palette.insert(palette.end(), bgrx, bgrx + 4);
        indices.push_back(static_cast<uint8_t>(entry));
      }
    }
  }
  const bool extra_masks = options.bitfields && options.header_size == 40;
  const size_t headers = 14 + options.header_size + (extra_masks ? 12 : 0);
  const size_t pixel_offset = headers + palette.size();
  const size_t stride = (static_cast<size_t>(image.width) * options.bits + 31) / 32 * 4;
  std::vector<uint8_t> b(pixel_offset + stride * image.height, 0);
  b[0] = 'B';
  b[1] = 'M';
  PutU32(b, kFileSizeOffset, static_cast<uint32_t>(b.size()));
  PutU32(b, kPixelOffsetOffset, static_cast<uint32_t>(pixel_offset));
  PutU32(b, kHeaderSizeOffset, options.header_size);
  PutU32(b, kWidthOffset, static_cast<uint32_t>(image.width));
  PutU32(b, kHeightOffset, static_cast<uint32_t>(options.top_down ? -image.height : image.height));
  PutU16(b, kPlanesOffset, 1);
  PutU16(b, kBitsOffset, static_cast<uint16_t>(options.bits));
  PutU32(b, kCompressionOffset, options.bitfields ? 3 : 0);
  PutU32(b, kColorsUsedOffset, static_cast<uint32_t>(palette.size() / 4));
  if (options.bitfields) {
    const size_t masks = 14 + 40;
    PutU32(b, masks, 0x0000ff00u);
    PutU32(b, masks + 4, 0x00ff0000u);
    PutU32(b, masks + 8, 0xff000000u);
  }
  if (!palette.empty()) std::memcpy(b.data() + headers, palette.data(), palette.size());
  for (int y = 0; y < image.height; ++y) {
    const int stored = options.top_down ? y : image.height - 1 - y;
    uint8_t* row = b.data() + pixel_offset + static_cast<size_t>(stored) * stride;
    for (int x = 0; x < image.width; ++x) {
      const size_t p = image.index(x, y, 0);
      if (options.bits == 8) {
        row[x] = indices[p / image.channels];
      } else if (options.bits == 24) {
        row[3 * x] = image.pixels[p + 2];
        row[3 * x + 1] = image.pixels[p + 1];
        row[3 * x + 2] = image.pixels[p];
      } else if (options.bitfields) {
        row[4 * x] = 0x7f;  // unused low byte
        row[4 * x + 1] = image.pixels[p];
        row[4 * x + 2] = image.pixels[p + 1];
        row[4 * x + 3] = image.pixels[p + 2];
      } else {
        row[4 * x] = image.pixels[p + 2];
        row[4 * x + 1] = image.pixels[p + 1];
        row[4 * x + 2] = image.pixels[p];
        row[4 * x + 3] = 0xff;
      }
    }
  }
  return b;
}

// A width x height image whose pixels differ from each other (so row order and channel order show).
inline Image PatternImage(int width, int height, int channels) {
  Image image{width, height, channels, {}};
  image.pixels.resize(static_cast<size_t>(width) * height * channels);
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i * 37 + 11);
  return image;
}

}  // namespace s3ml::client::testing

#endif  // S3ML_TESTS_CLIENT_BMP_BUILDER_H_
