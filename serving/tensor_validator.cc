#include "serving/tensor_validator.h"

#include <optional>
#include <string>

#include "core/checked_math.h"

namespace s3ml::serving {
namespace {

std::string InputName(std::string_view name) { return "input \"" + std::string(name) + "\""; }

std::vector<int64_t> ModelShape(const engine::TensorInfo& info) {
  return std::vector<int64_t>(info.shape.begin(), info.shape.end());
}

Status CheckShape(const TensorPayload& input, const engine::TensorInfo& info,
                  const ValidationOptions& options, std::optional<int64_t>* batch) {
  const std::vector<int64_t> expected = ModelShape(info);
  const std::string what = InputName(input.name);
  if (input.shape.size() != expected.size()) {
    return InvalidArgument(what + ": shape " + ShapeToString(input.shape) + " has rank " +
                           std::to_string(input.shape.size()) + ", the model expects " +
                           ShapeToString(expected));
  }
  for (size_t d = 0; d < expected.size(); ++d) {
    if (input.shape[d] < 0) {
      return InvalidArgument(what + ": shape " + ShapeToString(input.shape) +
                             " has a negative dimension");
    }
    if (d == 0 && options.allow_batch_dim) {
      const int64_t n = input.shape[0];
      if (n < 1 || (options.max_batch_size > 0 && n > options.max_batch_size)) {
        return InvalidArgument(what + ": batch size " + std::to_string(n) + " is outside [1, " +
                               (options.max_batch_size > 0 ? std::to_string(options.max_batch_size)
                                                           : std::string("unbounded")) +
                               "]");
      }
      if (batch->has_value() && **batch != n) {
        return InvalidArgument(what + ": batch size " + std::to_string(n) +
                               " differs from the other inputs' " + std::to_string(**batch));
      }
      *batch = n;
      continue;
    }
    if (expected[d] >= 0 && input.shape[d] != expected[d]) {
      return InvalidArgument(what + ": shape " + ShapeToString(input.shape) +
                             " does not match the model's " + ShapeToString(expected) +
                             " (dim " + std::to_string(d) + ")");
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckPayloadSize(const TensorPayload& payload, std::string_view what) {
  S3ML_ASSIGN_OR_RETURN(size_t count, ElementCount(payload.shape, what));
  size_t bytes = 0;
  if (!CheckedMul(count, DatatypeSize(payload.datatype), &bytes)) {
    return InvalidArgument(std::string(what) + ": shape " + ShapeToString(payload.shape) +
                           " is too large");
  }
  if (payload.data.size() != bytes) {
    return InvalidArgument(std::string(what) + ": has " +
                           std::to_string(payload.data.size() / DatatypeSize(payload.datatype)) +
                           " elements (" + std::to_string(payload.data.size()) +
                           " bytes) but shape " + ShapeToString(payload.shape) + " needs " +
                           std::to_string(count));
  }
  return Status::Ok();
}

Result<std::vector<TensorPayload>> ValidateInputs(std::vector<TensorPayload> inputs,
                                                  const std::vector<engine::TensorInfo>& model_inputs,
                                                  const ValidationOptions& options) {
  std::vector<std::optional<TensorPayload>> ordered(model_inputs.size());
  for (TensorPayload& input : inputs) {
    size_t index = model_inputs.size();
    for (size_t i = 0; i < model_inputs.size(); ++i) {
      if (model_inputs[i].name == input.name) index = i;
    }
    if (index == model_inputs.size()) {
      return InvalidArgument(InputName(input.name) + " is not an input of the model");
    }
    if (ordered[index].has_value()) {
      return InvalidArgument(InputName(input.name) + " is given more than once");
    }
    ordered[index] = std::move(input);
  }
  std::optional<int64_t> batch;
  std::vector<TensorPayload> result;
  result.reserve(model_inputs.size());
  for (size_t i = 0; i < model_inputs.size(); ++i) {
    const engine::TensorInfo& info = model_inputs[i];
    if (!ordered[i].has_value()) {
      return InvalidArgument(InputName(info.name) + " is missing");
    }
    TensorPayload& input = *ordered[i];
    const Datatype expected_type = FromEngineType(info.type);
    if (input.datatype != expected_type) {
      return InvalidArgument(InputName(input.name) + ": datatype " +
                             std::string(DatatypeName(input.datatype)) + " does not match the model's " +
                             std::string(DatatypeName(expected_type)));
    }
    S3ML_RETURN_IF_ERROR(CheckShape(input, info, options, &batch));
    S3ML_RETURN_IF_ERROR(CheckPayloadSize(input, InputName(input.name)));
    result.push_back(std::move(input));
  }
  return result;
}

}  // namespace s3ml::serving
