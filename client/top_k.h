// TopK: the k highest-scoring classes of a classifier's output tensor.
//
// Scores are real values: float32 as is; uint8/int8 dequantized with the output's per-tensor
// quantization, scale * (q - zero_point) (raw q when the tensor is not quantized); int32 as is.
// Ordered by score, highest first; equal scores by index, lowest first; NaN sorts last.
// k larger than the element count returns every element.
// Errors: kInvalidArgument when data does not have the output's byte size or the quantization is
// per-channel; kUnimplemented for other element types.
#ifndef S3ML_CLIENT_TOP_K_H_
#define S3ML_CLIENT_TOP_K_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "engine/tensor_info.h"

namespace s3ml::client {

struct ScoredClass {
  size_t index = 0;
  float score = 0.0f;
};

// Every element of the output as a real value (the dequantization above).
Result<std::vector<float>> DequantizeOutput(const engine::TensorInfo& output, std::span<const uint8_t> data);

Result<std::vector<ScoredClass>> TopK(const engine::TensorInfo& output, std::span<const uint8_t> data, size_t k);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_TOP_K_H_
