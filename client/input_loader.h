// Turns an input file into the bytes of a model input tensor, choosing the decoder by extension:
//   .bmp  decoded (DecodeBmp), channels adapted to the input's C (ConvertChannels), resized to its
//         H x W (ResizeBilinear) and encoded for its element type (EncodePixels);
//   .npy  parsed (ParseNpy); the dtype must be the input's element type and the shape the input's
//         shape (leading dimensions of size 1 may be omitted or added);
//   else  raw tensor bytes (.rgb, .bin, ...) that must be exactly the input's byte size.
// Errors name the file and what did not fit; files over kMaxInputFileBytes are refused unread.
#ifndef S3ML_CLIENT_INPUT_LOADER_H_
#define S3ML_CLIENT_INPUT_LOADER_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/image.h"
#include "client/pixel_encoder.h"
#include "core/status.h"
#include "engine/tensor_info.h"

namespace s3ml::client {

inline constexpr size_t kMaxInputFileBytes = 256u << 20;

enum class InputFormat { kBmp, kNpy, kRaw };

// By the path's extension, case-insensitive.
InputFormat InputFormatForPath(std::string_view path);

// Image -> tensor bytes for an image input: channels, then size, then encoding.
Result<std::vector<uint8_t>> ImageToTensor(const Image& image, const engine::TensorInfo& input,
                                           const PixelNormalization& normalization);

Result<std::vector<uint8_t>> DecodeInputTensor(InputFormat format, std::span<const uint8_t> bytes,
                                               const engine::TensorInfo& input,
                                               const PixelNormalization& normalization);

Result<std::vector<uint8_t>> LoadInputTensor(const std::string& path, const engine::TensorInfo& input,
                                             const PixelNormalization& normalization);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_INPUT_LOADER_H_
