#include "client/top_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

namespace s3ml::client {

Result<std::vector<float>> DequantizeOutput(const engine::TensorInfo& output, std::span<const uint8_t> data) {
  const size_t item_size = engine::DataTypeSize(output.type);
  const size_t count = output.element_count();
  if (data.size() != count * item_size) {
    return InvalidArgument("output '" + output.name + "' data is " + std::to_string(data.size()) +
                           " bytes, expected " + std::to_string(count * item_size));
  }
  float scale = 1.0f;
  int64_t zero_point = 0;
  if (output.quantization.quantized()) {
    if (output.quantization.scales.size() != 1 || output.quantization.zero_points.size() > 1) {
      return InvalidArgument("output '" + output.name + "' is quantized per channel; scores need one scale");
    }
    scale = output.quantization.scales[0];
    if (!output.quantization.zero_points.empty()) zero_point = output.quantization.zero_points[0];
  }
  std::vector<float> values(count);
  switch (output.type) {
    case engine::DataType::kFloat32:
      std::memcpy(values.data(), data.data(), data.size());
      break;
    case engine::DataType::kUInt8:
      for (size_t i = 0; i < count; ++i) values[i] = scale * static_cast<float>(int64_t{data[i]} - zero_point);
      break;
    case engine::DataType::kInt8:
      for (size_t i = 0; i < count; ++i) {
        values[i] = scale * static_cast<float>(int64_t{static_cast<int8_t>(data[i])} - zero_point);
      }
      break;
    case engine::DataType::kInt32:
      for (size_t i = 0; i < count; ++i) {
        int32_t v;
        std::memcpy(&v, data.data() + i * 4, 4);
        values[i] = static_cast<float>(v);
      }
      break;
    default:
      return Unimplemented("output '" + output.name + "' has element type " +
                           std::string(engine::DataTypeName(output.type)) + ", which has no class scores");
  }
  return values;
}

Result<std::vector<ScoredClass>> TopK(const engine::TensorInfo& output, std::span<const uint8_t> data, size_t k) {
  S3ML_ASSIGN_OR_RETURN(std::vector<float> values, DequantizeOutput(output, data));
  std::vector<ScoredClass> classes(values.size());
  for (size_t i = 0; i < values.size(); ++i) classes[i] = {i, values[i]};
  k = std::min(k, classes.size());
  // NaN compares false with everything, which would break the strict weak ordering.
  auto higher = [](const ScoredClass& a, const ScoredClass& b) {
    const bool a_nan = std::isnan(a.score), b_nan = std::isnan(b.score);
    if (a_nan != b_nan) return b_nan;
    if (!a_nan && a.score != b.score) return a.score > b.score;
    return a.index < b.index;
  };
  std::partial_sort(classes.begin(), classes.begin() + static_cast<std::ptrdiff_t>(k), classes.end(), higher);
  classes.resize(k);
  return classes;
}

}  // namespace s3ml::client
