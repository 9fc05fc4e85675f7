#include "client/input_loader.h"

#include <algorithm>
#include <cctype>

#include "client/bmp_decoder.h"
#include "client/channel_adapter.h"
#include "client/image_resize.h"
#include "client/npy_array.h"
#include "core/file.h"

namespace s3ml::client {
namespace {

template <typename Int>
std::vector<int64_t> WithoutLeadingOnes(const std::vector<Int>& shape) {
  size_t first = 0;
  while (first < shape.size() && shape[first] == 1) ++first;
  return std::vector<int64_t>(shape.begin() + static_cast<std::ptrdiff_t>(first), shape.end());
}

template <typename Int>
std::string ShapeText(const std::vector<Int>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ',';
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

Result<std::vector<uint8_t>> NpyToTensor(std::span<const uint8_t> bytes, const engine::TensorInfo& input) {
  S3ML_ASSIGN_OR_RETURN(NpyArray array, ParseNpy(bytes));
  if (array.type != input.type) {
    return InvalidArgument("npy dtype '" + array.descr + "' is " + std::string(engine::DataTypeName(array.type)) +
                           ", input '" + input.name + "' is " + std::string(engine::DataTypeName(input.type)));
  }
  if (WithoutLeadingOnes(array.shape) != WithoutLeadingOnes(input.shape)) {
    return InvalidArgument("npy shape " + ShapeText(array.shape) + " does not match input '" + input.name +
                           "' shape " + ShapeText(input.shape));
  }
  if (array.data.size() != input.byte_size()) {
    return InvalidArgument("npy data is " + std::to_string(array.data.size()) + " bytes, input '" + input.name +
                           "' needs " + std::to_string(input.byte_size()));
  }
  return std::vector<uint8_t>(array.data.begin(), array.data.end());
}

}  // namespace

InputFormat InputFormatForPath(std::string_view path) {
  const size_t dot = path.rfind('.');
  const size_t slash = path.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return InputFormat::kRaw;
  std::string extension(path.substr(dot + 1));
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == "bmp") return InputFormat::kBmp;
  if (extension == "npy") return InputFormat::kNpy;
  return InputFormat::kRaw;
}

Result<std::vector<uint8_t>> ImageToTensor(const Image& image, const engine::TensorInfo& input,
                                           const PixelNormalization& normalization) {
  S3ML_ASSIGN_OR_RETURN(ImageShape shape, ImageInputShape(input));
  S3ML_ASSIGN_OR_RETURN(Image adapted, ConvertChannels(image, shape.channels));
  S3ML_ASSIGN_OR_RETURN(Image resized, ResizeBilinear(adapted, shape.width, shape.height));
  std::vector<uint8_t> tensor(input.byte_size());
  S3ML_RETURN_IF_ERROR(EncodePixels(resized, input, normalization, tensor));
  return tensor;
}

Result<std::vector<uint8_t>> DecodeInputTensor(InputFormat format, std::span<const uint8_t> bytes,
                                               const engine::TensorInfo& input,
                                               const PixelNormalization& normalization) {
  switch (format) {
    case InputFormat::kBmp: {
      S3ML_ASSIGN_OR_RETURN(Image image, DecodeBmp(bytes));
      return ImageToTensor(image, input, normalization);
    }
    case InputFormat::kNpy:
      return NpyToTensor(bytes, input);
    case InputFormat::kRaw:
      break;
  }
  if (bytes.size() != input.byte_size()) {
    return InvalidArgument("raw input is " + std::to_string(bytes.size()) + " bytes, input '" + input.name +
                           "' " + ShapeText(input.shape) + " " + std::string(engine::DataTypeName(input.type)) +
                           " needs exactly " + std::to_string(input.byte_size()));
  }
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

Result<std::vector<uint8_t>> LoadInputTensor(const std::string& path, const engine::TensorInfo& input,
                                             const PixelNormalization& normalization) {
  Result<std::vector<uint8_t>> bytes = ReadFileBytes(path, kMaxInputFileBytes);
  if (!bytes.ok()) return bytes.status().WithContext("input " + path);
  Result<std::vector<uint8_t>> tensor = DecodeInputTensor(InputFormatForPath(path), *bytes, input, normalization);
  if (!tensor.ok()) return tensor.status().WithContext("input " + path);
  return tensor;
}

}  // namespace s3ml::client
