// Checks a request's input tensors against the model's input TensorInfo list.
//
// Every model input must be given exactly once, by name; unknown and duplicate names are
// refused; datatypes must match exactly; ranks must match and each dim must equal the model's
// (a model dim below zero is free). When batching is allowed the leading dim may differ from the
// model's, must be in [1, max_batch_size] and the same for every input. The data length must
// equal element count x datatype size. Errors are kInvalidArgument naming the input.
#ifndef S3ML_SERVING_TENSOR_VALIDATOR_H_
#define S3ML_SERVING_TENSOR_VALIDATOR_H_

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "engine/tensor_info.h"
#include "serving/tensor_payload.h"

namespace s3ml::serving {

struct ValidationOptions {
  // Whether the leading dim is a batch dim that callers may choose (dynamic batching on).
  bool allow_batch_dim = false;
  // Upper bound for that leading dim when allow_batch_dim; 0 means no bound.
  int64_t max_batch_size = 0;
};

// Returns the inputs reordered to the model's input order.
Result<std::vector<TensorPayload>> ValidateInputs(std::vector<TensorPayload> inputs,
                                                  const std::vector<engine::TensorInfo>& model_inputs,
                                                  const ValidationOptions& options);

// Checks one payload's internal consistency: shape dims non-negative, the element count not
// overflowing, and data.size() == element count x datatype size. `what` prefixes messages.
Status CheckPayloadSize(const TensorPayload& payload, std::string_view what);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_TENSOR_VALIDATOR_H_
