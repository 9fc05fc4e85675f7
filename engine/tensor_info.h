// What a model's inputs and outputs look like: element type, shape and quantization.
#ifndef S3ML_ENGINE_TENSOR_INFO_H_
#define S3ML_ENGINE_TENSOR_INFO_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace s3ml::engine {

enum class DataType { kFloat32, kUInt8, kInt8, kInt16, kInt32, kInt64, kBool };

std::string_view DataTypeName(DataType type);  // "float32", "uint8", ... (TFLite's names, lower case)
size_t DataTypeSize(DataType type);

// Affine quantization real = scale * (q - zero_point), per tensor (one scale) or per channel
// along `dimension`. Empty scales means "not quantized".
struct Quantization {
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t dimension = 0;

  bool quantized() const { return !scales.empty(); }
};

struct TensorInfo {
  std::string name;
  DataType type = DataType::kFloat32;
  std::vector<int32_t> shape;
  Quantization quantization;

  size_t element_count() const;
  size_t byte_size() const { return element_count() * DataTypeSize(type); }
};

}  // namespace s3ml::engine

#endif  // S3ML_ENGINE_TENSOR_INFO_H_
