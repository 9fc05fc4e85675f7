#include "client/bmp_decoder.h"

#include <cstdio>
#include <string>

#include "core/byte_reader.h"
#include "core/checked_math.h"

namespace s3ml::client {
namespace {

constexpr size_t kFileHeaderBytes = 14;
constexpr uint32_t kBiRgb = 0;
constexpr uint32_t kBiRle8 = 1;
constexpr uint32_t kBiRle4 = 2;
constexpr uint32_t kBiBitfields = 3;
constexpr uint32_t kBiJpeg = 4;
constexpr uint32_t kBiPng = 5;
constexpr uint32_t kBiAlphaBitfields = 6;

Status Truncated(const char* what, size_t offset, size_t file_size) {
  return InvalidArgument(std::string("BMP truncated: ") + what + " at offset " + std::to_string(offset) +
                         " runs past the end of the file (" + std::to_string(file_size) + " bytes)");
}

// One colour channel stored in a 32-bit pixel under a BI_BITFIELDS mask.
struct ChannelMask {
  uint32_t mask = 0;
  int shift = 0;
  int bits = 0;

  uint8_t Extract(uint32_t pixel) const {
    uint32_t value = (pixel & mask) >> shift;
    if (bits >= 8) return static_cast<uint8_t>(value >> (bits - 8));
    uint32_t max = (1u << bits) - 1;
    return static_cast<uint8_t>((value * 255 + max / 2) / max);
  }
};

Result<ChannelMask> ParseMask(uint32_t mask, const char* name) {
  if (mask == 0) return InvalidArgument(std::string("BMP ") + name + " mask is zero");
  ChannelMask out;
  out.mask = mask;
  out.shift = __builtin_ctz(mask);
  uint32_t bits = mask >> out.shift;
  if ((bits & (bits + 1)) != 0) {
    char hex[16];
    std::snprintf(hex, sizeof(hex), "0x%08x", mask);
    return InvalidArgument(std::string("BMP ") + name + " mask " + hex + " is not a contiguous run of bits");
  }
  out.bits = __builtin_popcount(mask);
  return out;
}

struct InfoHeader {
  int32_t width = 0;
  int32_t height = 0;
  uint16_t planes = 0;
  uint16_t bits_per_pixel = 0;
  uint32_t compression = 0;
  uint32_t colors_used = 0;
  uint32_t red_mask = 0, green_mask = 0, blue_mask = 0;
};

Status CheckHeaderSize(uint32_t size) {
  switch (size) {
    case 40: case 52: case 56: case 108: case 124:
      return Status::Ok();
    case 12:
      return Unimplemented("BMP header size 12 (OS/2 BITMAPCOREHEADER) is not supported");
    case 64:
      return Unimplemented("BMP header size 64 (OS/2 2.x) is not supported");
    default:
      return InvalidArgument("BMP header size " + std::to_string(size) + " is not a known DIB header size");
  }
}

Status CheckFormat(const InfoHeader& h) {
  if (h.width <= 0) return InvalidArgument("BMP width " + std::to_string(h.width) + " must be positive");
  if (h.width > kMaxBmpDimension) {
    return InvalidArgument("BMP width " + std::to_string(h.width) + " exceeds the limit " +
                           std::to_string(kMaxBmpDimension));
  }
  if (h.height == 0) return InvalidArgument("BMP height is 0");
  if (h.height < -kMaxBmpDimension || h.height > kMaxBmpDimension) {
    return InvalidArgument("BMP height " + std::to_string(h.height) + " exceeds the limit " +
                           std::to_string(kMaxBmpDimension));
  }
  if (h.planes != 1) return InvalidArgument("BMP planes " + std::to_string(h.planes) + " must be 1");
  switch (h.bits_per_pixel) {
    case 8: case 24: case 32:
      break;
    case 1: case 2: case 4: case 16: case 64:
      return Unimplemented("BMP bits per pixel " + std::to_string(h.bits_per_pixel) +
                           " is not supported (supported: 8, 24, 32)");
    default:
      return InvalidArgument("BMP bits per pixel " + std::to_string(h.bits_per_pixel) + " is invalid");
  }
  switch (h.compression) {
    case kBiRgb:
      return Status::Ok();
    case kBiBitfields: case kBiAlphaBitfields:
      if (h.bits_per_pixel != 32) {
        return InvalidArgument("BMP compression BI_BITFIELDS with " + std::to_string(h.bits_per_pixel) +
                               " bits per pixel (only 32 is supported)");
      }
      return Status::Ok();
    case kBiRle8: case kBiRle4:
      return Unimplemented("BMP compression " + std::to_string(h.compression) + " (RLE) is not supported");
    case kBiJpeg: case kBiPng:
      return Unimplemented("BMP compression " + std::to_string(h.compression) +
                           " (embedded JPEG/PNG) is not supported");
    default:
      return InvalidArgument("BMP compression " + std::to_string(h.compression) + " is unknown");
  }
}

}  // namespace

Result<Image> DecodeBmp(std::span<const uint8_t> bytes) {
  ByteReader file(bytes);
  uint8_t magic[2];
  if (!file.CopyBytes(magic)) return Truncated("file header", 0, bytes.size());
  if (magic[0] != 'B' || magic[1] != 'M') {
    char found[16];
    std::snprintf(found, sizeof(found), "0x%02x 0x%02x", magic[0], magic[1]);
    return InvalidArgument(std::string("BMP magic is ") + found + ", expected 'BM'");
  }
  uint32_t file_size_field, pixel_offset;
  uint16_t reserved1, reserved2;
  if (!file.ReadU32Le(&file_size_field) || !file.ReadU16Le(&reserved1) || !file.ReadU16Le(&reserved2) ||
      !file.ReadU32Le(&pixel_offset)) {
    return Truncated("file header", 2, bytes.size());
  }
  if (file_size_field > bytes.size()) {
    return InvalidArgument("BMP file size field says " + std::to_string(file_size_field) +
                           " bytes but the file has " + std::to_string(bytes.size()) + " (truncated)");
  }

  uint32_t header_size;
  if (!file.ReadU32Le(&header_size)) return Truncated("DIB header size", kFileHeaderBytes, bytes.size());
  S3ML_RETURN_IF_ERROR(CheckHeaderSize(header_size));
  std::span<const uint8_t> header_bytes;
  if (!file.ReadBytes(header_size - 4, &header_bytes)) {
    return Truncated("DIB header", kFileHeaderBytes, bytes.size());
  }
  ByteReader header(header_bytes);
  InfoHeader h;
  uint32_t width_bits, height_bits, image_size, x_ppm, y_ppm, colors_important;
  // The fixed BITMAPINFOHEADER fields are always present (header_size >= 40 was checked).
  if (!header.ReadU32Le(&width_bits) || !header.ReadU32Le(&height_bits) || !header.ReadU16Le(&h.planes) ||
      !header.ReadU16Le(&h.bits_per_pixel) || !header.ReadU32Le(&h.compression) ||
      !header.ReadU32Le(&image_size) || !header.ReadU32Le(&x_ppm) || !header.ReadU32Le(&y_ppm) ||
      !header.ReadU32Le(&h.colors_used) || !header.ReadU32Le(&colors_important)) {
    return Internal("BMP header reader out of step");
  }
  h.width = static_cast<int32_t>(width_bits);
  h.height = static_cast<int32_t>(height_bits);
  S3ML_RETURN_IF_ERROR(CheckFormat(h));

  const bool bitfields = h.compression == kBiBitfields || h.compression == kBiAlphaBitfields;
  if (bitfields) {
    // V2+ headers carry the masks; a plain 40-byte header is followed by them.
    ByteReader& masks = header_size >= 52 ? header : file;
    if (!masks.ReadU32Le(&h.red_mask) || !masks.ReadU32Le(&h.green_mask) || !masks.ReadU32Le(&h.blue_mask)) {
      return Truncated("BI_BITFIELDS masks", kFileHeaderBytes + header_size, bytes.size());
    }
    uint32_t alpha_mask;
    if (header_size == 40 && h.compression == kBiAlphaBitfields && !file.ReadU32Le(&alpha_mask)) {
      return Truncated("BI_ALPHABITFIELDS alpha mask", file.offset(), bytes.size());
    }
  }
  const size_t headers_end = file.offset();

  std::vector<uint8_t> palette;  // 4 bytes per entry: B, G, R, reserved
  bool grey_palette = true;
  if (h.bits_per_pixel == 8) {
    uint32_t colors = h.colors_used == 0 ? 256 : h.colors_used;
    if (colors > 256) {
      return InvalidArgument("BMP colors used " + std::to_string(h.colors_used) +
                             " exceeds 256 for 8 bits per pixel");
    }
    std::span<const uint8_t> entries;
    if (!file.ReadBytes(size_t{colors} * 4, &entries)) return Truncated("palette", headers_end, bytes.size());
    if (pixel_offset < file.offset()) {
      return InvalidArgument("BMP pixel data offset " + std::to_string(pixel_offset) +
                             " overlaps the palette (which ends at " + std::to_string(file.offset()) + ")");
    }
    palette.assign(entries.begin(), entries.end());
    for (size_t i = 0; i < palette.size(); i += 4) {
      if (palette[i] != palette[i + 1] || palette[i] != palette[i + 2]) grey_palette = false;
    }
  } else if (pixel_offset < headers_end) {
    return InvalidArgument("BMP pixel data offset " + std::to_string(pixel_offset) +
                           " overlaps the headers (which end at " + std::to_string(headers_end) + ")");
  }

  const size_t width = static_cast<size_t>(h.width);
  const size_t height = static_cast<size_t>(h.height < 0 ? -int64_t{h.height} : h.height);
  const bool top_down = h.height < 0;
  // Dimensions are at most 2^15 each, so these products cannot overflow a 64-bit size_t.
  const size_t row_bytes = (width * h.bits_per_pixel + 7) / 8;
  const size_t stride = (width * h.bits_per_pixel + 31) / 32 * 4;
  // The last row's padding is often missing in the wild; it carries nothing, so it is not required.
  const size_t pixel_bytes = stride * (height - 1) + row_bytes;
  size_t pixel_end;
  if (!CheckedAdd<size_t>(pixel_offset, pixel_bytes, &pixel_end) || pixel_end > bytes.size()) {
    return InvalidArgument("BMP pixel data truncated: " + std::to_string(width) + "x" + std::to_string(height) +
                           " at " + std::to_string(h.bits_per_pixel) + " bits needs " + std::to_string(pixel_bytes) +
                           " bytes from offset " + std::to_string(pixel_offset) + ", the file has " +
                           std::to_string(bytes.size()));
  }

  ChannelMask red, green, blue;
  if (bitfields) {
    S3ML_ASSIGN_OR_RETURN(red, ParseMask(h.red_mask, "red"));
    S3ML_ASSIGN_OR_RETURN(green, ParseMask(h.green_mask, "green"));
    S3ML_ASSIGN_OR_RETURN(blue, ParseMask(h.blue_mask, "blue"));
  } else if (h.bits_per_pixel == 32) {
    red = {0x00ff0000u, 16, 8};
    green = {0x0000ff00u, 8, 8};
    blue = {0x000000ffu, 0, 8};
  }

  Image image;
  image.width = h.width;
  image.height = static_cast<int>(height);
  image.channels = (h.bits_per_pixel == 8 && grey_palette) ? 1 : 3;
  image.pixels.resize(width * height * static_cast<size_t>(image.channels));
  const size_t palette_entries = palette.size() / 4;
  for (size_t y = 0; y < height; ++y) {
    const size_t source_row = top_down ? y : height - 1 - y;
    const uint8_t* row = bytes.data() + pixel_offset + source_row * stride;
    uint8_t* out = image.pixels.data() + y * width * static_cast<size_t>(image.channels);
    for (size_t x = 0; x < width; ++x) {
      switch (h.bits_per_pixel) {
        case 8: {
          const size_t entry = row[x];
          if (entry >= palette_entries) {
            return InvalidArgument("BMP pixel (" + std::to_string(x) + "," + std::to_string(y) +
                                   ") has palette index " + std::to_string(entry) + " beyond the " +
                                   std::to_string(palette_entries) + "-entry palette");
          }
          const uint8_t* bgr = &palette[entry * 4];
          if (image.channels == 1) {
            *out++ = bgr[0];
          } else {
            *out++ = bgr[2];
            *out++ = bgr[1];
            *out++ = bgr[0];
          }
          break;
        }
        case 24: {
          const uint8_t* bgr = row + x * 3;
          *out++ = bgr[2];
          *out++ = bgr[1];
          *out++ = bgr[0];
          break;
        }
        case 32: {
          const uint8_t* p = row + x * 4;
          const uint32_t pixel = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
          *out++ = red.Extract(pixel);
          *out++ = green.Extract(pixel);
          *out++ = blue.Extract(pixel);
          break;
        }
      }
    }
  }
  return image;
}

}  // namespace s3ml::client
