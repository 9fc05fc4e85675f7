// The classification extension's answer read back (the server side is serving/classification.h):
// each element "<value>:<index>[:<label>]" of a BYTES output becomes (index, score, label), in the
// server's order. The score is the value dequantized with the output's quantization from the
// model metadata, scale * (value - zero_point), or the value itself without one.
// Errors: kInvalidArgument for an output that is not BYTES or an element that does not read as
// above (the answer is untrusted input).
#ifndef S3ML_CLIENT_CLASSIFICATION_RESULT_H_
#define S3ML_CLIENT_CLASSIFICATION_RESULT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "client/v2_tensor.h"
#include "core/status.h"

namespace s3ml::client {

struct LabeledClass {
  size_t index = 0;
  float score = 0.0f;
  std::string label;  // "" when the model has none for this class
};

Result<std::vector<LabeledClass>> ParseClassifications(const V2Tensor& output,
                                                       const std::optional<std::pair<float, int64_t>>& quantization);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_CLASSIFICATION_RESULT_H_
