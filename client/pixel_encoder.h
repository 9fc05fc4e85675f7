// Writes [0,255] pixels into an image model's input tensor.
//
// ImageInputShape: the model input must be [1, H, W, C] with C = 1 or 3 (NHWC, as TFLite image
// models are). EncodePixels then converts each pixel p by the input's element type:
//   uint8   p as is (uint8 image models are trained on raw pixel bytes; their input quantization,
//           e.g. scale 1/128 zero point 128, maps them to the real range the network expects),
//   int8    p - 128 (what TFLite's image examples feed quantized int8 image models),
//   float32 (p - mean) / std (PixelNormalization; default 127.5 / 127.5 maps to [-1, 1]).
// Errors: kInvalidArgument when the input is not an image tensor, the image does not have the
// input's H x W x C, or std is zero/non-finite; kUnimplemented for other element types.
#ifndef S3ML_CLIENT_PIXEL_ENCODER_H_
#define S3ML_CLIENT_PIXEL_ENCODER_H_

#include <cstdint>
#include <span>

#include "client/image.h"
#include "core/status.h"
#include "engine/tensor_info.h"

namespace s3ml::client {

struct ImageShape {
  int height = 0;
  int width = 0;
  int channels = 0;
};

struct PixelNormalization {
  float mean = 127.5f;
  float std = 127.5f;
};

Result<ImageShape> ImageInputShape(const engine::TensorInfo& input);

// REQUIRES: out.size() == input.byte_size().
Status EncodePixels(const Image& image, const engine::TensorInfo& input, const PixelNormalization& normalization,
                    std::span<uint8_t> out);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_PIXEL_ENCODER_H_
