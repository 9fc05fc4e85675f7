// DecodeBmp: Windows bitmap files (untrusted bytes) to an Image.
//
// Supported: BITMAPINFOHEADER (40 bytes) and its successors (V2 52, V3 56, V4 108, V5 124 bytes);
// 8 bits per pixel with a palette (decoded to 1 channel when every palette entry is grey, else
// to RGB), 24 bits (BGR) and 32 bits (BI_RGB as BGRX, or BI_BITFIELDS masks; alpha is dropped),
// bottom-up (positive height) and top-down (negative height) rows, rows padded to 4 bytes.
// Refused with a message naming the field: wrong magic, unsupported header sizes (OS/2 12 and 64
// bytes), planes != 1, other bit depths, compressed pixels (RLE, JPEG, PNG), palette or pixel data
// outside the file, palette indices beyond the palette, dimensions beyond kMaxBmpDimension.
// Sizes are checked against the file before anything is allocated.
#ifndef S3ML_CLIENT_BMP_DECODER_H_
#define S3ML_CLIENT_BMP_DECODER_H_

#include <cstdint>
#include <span>

#include "client/image.h"
#include "core/status.h"

namespace s3ml::client {

// Larger than any image a classifier wants, small enough that width*height*4 cannot overflow.
inline constexpr int32_t kMaxBmpDimension = 1 << 15;

Result<Image> DecodeBmp(std::span<const uint8_t> bytes);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_BMP_DECODER_H_
