#include "client/pixel_encoder.h"

#include <cmath>
#include <cstring>
#include <string>

namespace s3ml::client {
namespace {

std::string ShapeText(const std::vector<int32_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ',';
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

}  // namespace

Result<ImageShape> ImageInputShape(const engine::TensorInfo& input) {
  const std::vector<int32_t>& s = input.shape;
  if (s.size() != 4 || s[0] != 1 || s[1] <= 0 || s[2] <= 0 || (s[3] != 1 && s[3] != 3)) {
    return InvalidArgument("input '" + input.name + "' has shape " + ShapeText(s) +
                           ", not an image [1,H,W,1|3]: feed it a .npy or raw tensor file instead");
  }
  return ImageShape{s[1], s[2], s[3]};
}

Status EncodePixels(const Image& image, const engine::TensorInfo& input, const PixelNormalization& normalization,
                    std::span<uint8_t> out) {
  S3ML_ASSIGN_OR_RETURN(ImageShape shape, ImageInputShape(input));
  if (image.width != shape.width || image.height != shape.height || image.channels != shape.channels) {
    return InvalidArgument("image is " + std::to_string(image.width) + "x" + std::to_string(image.height) + "x" +
                           std::to_string(image.channels) + ", input '" + input.name + "' wants " +
                           std::to_string(shape.width) + "x" + std::to_string(shape.height) + "x" +
                           std::to_string(shape.channels));
  }
  const size_t count = image.pixels.size();
  if (count != static_cast<size_t>(shape.width) * shape.height * shape.channels) {
    return InvalidArgument("image pixel buffer does not match its dimensions");
  }
  if (out.size() != count * engine::DataTypeSize(input.type)) {
    return InvalidArgument("output buffer is " + std::to_string(out.size()) + " bytes, input '" + input.name +
                           "' has " + std::to_string(count * engine::DataTypeSize(input.type)));
  }
  switch (input.type) {
    case engine::DataType::kUInt8:
      std::memcpy(out.data(), image.pixels.data(), count);
      return Status::Ok();
    case engine::DataType::kInt8:
      for (size_t i = 0; i < count; ++i) {
        out[i] = static_cast<uint8_t>(static_cast<int8_t>(static_cast<int>(image.pixels[i]) - 128));
      }
      return Status::Ok();
    case engine::DataType::kFloat32: {
      if (!std::isfinite(normalization.mean) || !std::isfinite(normalization.std) || normalization.std == 0.0f) {
        return InvalidArgument("pixel normalization needs a finite mean and a finite non-zero std (got mean " +
                               std::to_string(normalization.mean) + ", std " + std::to_string(normalization.std) +
                               ")");
      }
      for (size_t i = 0; i < count; ++i) {
        const float value = (static_cast<float>(image.pixels[i]) - normalization.mean) / normalization.std;
        std::memcpy(out.data() + i * sizeof(float), &value, sizeof(float));
      }
      return Status::Ok();
    }
    default:
      return Unimplemented("image input '" + input.name + "' has element type " +
                           std::string(engine::DataTypeName(input.type)) +
                           " (images feed uint8, int8 or float32 inputs)");
  }
}

}  // namespace s3ml::client
