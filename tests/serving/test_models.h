// TensorInfo lists of small made-up models for the serving tests (the codecs need only the
// model's signature, not a loaded model).
#ifndef S3ML_TESTS_SERVING_TEST_MODELS_H_
#define S3ML_TESTS_SERVING_TEST_MODELS_H_

#include <cstring>
#include <string>
#include <vector>

#include "engine/tensor_info.h"
#include "serving/tensor_payload.h"

namespace s3ml::serving::testing {

inline engine::TensorInfo Info(std::string name, engine::DataType type, std::vector<int32_t> shape) {
  engine::TensorInfo info;
  info.name = std::move(name);
  info.type = type;
  info.shape = std::move(shape);
  return info;
}

// An image classifier: uint8 [1,2,2,1] image in, float [1,3] scores out.
inline std::vector<engine::TensorInfo> ClassifierInputs() {
  return {Info("image", engine::DataType::kUInt8, {1, 2, 2, 1})};
}
inline std::vector<engine::TensorInfo> ClassifierOutputs() {
  return {Info("scores", engine::DataType::kFloat32, {1, 3})};
}

// Two inputs of different types.
inline std::vector<engine::TensorInfo> TwoInputs() {
  return {Info("x", engine::DataType::kFloat32, {1, 2}), Info("k", engine::DataType::kInt32, {1, 1})};
}

template <typename T>
std::vector<uint8_t> Bytes(std::vector<T> values) {
  std::vector<uint8_t> out(values.size() * sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

inline TensorPayload Payload(std::string name, Datatype type, std::vector<int64_t> shape,
                             std::vector<uint8_t> data) {
  return TensorPayload{std::move(name), type, std::move(shape), std::move(data)};
}

}  // namespace s3ml::serving::testing

#endif  // S3ML_TESTS_SERVING_TEST_MODELS_H_
