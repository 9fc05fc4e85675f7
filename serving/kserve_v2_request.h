// KServe / Open Inference Protocol v2 infer requests (POST .../infer), JSON and the binary tensor
// data extension.
//
// With the extension the HTTP header Inference-Header-Content-Length: N says the first N body
// bytes are the JSON request; every input whose parameters carry "binary_data_size": S then
// takes the next S bytes, in input order, and the body must end exactly there. Without the
// header the whole body is JSON and inputs carry "data" (flat or nested row-major).
// The parsed inputs are validated against the model (see tensor_validator.h) and come back in
// the model's input order. Errors are kInvalidArgument (HTTP 400) naming the field or input;
// datatypes the protocol knows but we do not run are kUnimplemented (also 400).
#ifndef S3ML_SERVING_KSERVE_V2_REQUEST_H_
#define S3ML_SERVING_KSERVE_V2_REQUEST_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "engine/tensor_info.h"
#include "serving/tensor_payload.h"
#include "serving/tensor_validator.h"

namespace s3ml::serving {

struct V2RequestedOutput {
  std::string name;
  bool binary_data = false;  // parameters.binary_data
  size_t classification = 0;  // parameters.classification: the top N as strings (classification.h); 0 = the tensor
};

struct V2InferRequest {
  std::string id;                         // "" when absent
  nlohmann::json parameters;              // the request's "parameters" object (or null)
  std::vector<TensorPayload> inputs;      // validated, in the model's input order
  std::vector<V2RequestedOutput> outputs; // empty: all of the model's outputs
  bool binary_data_output = false;        // parameters.binary_data_output: all outputs binary
};

// Parses the Inference-Header-Content-Length header value: decimal digits only, no sign,
// no overflow.
Result<size_t> ParseInferenceHeaderContentLength(std::string_view value);

class V2HeaderCache;

// `json_header_length` is the parsed Inference-Header-Content-Length, if the header was sent.
// `cache` (optional; one per model version, see v2_header_cache.h) answers repeated binary-tensor
// headers without parsing them and remembers new ones.
Result<V2InferRequest> ParseV2InferRequest(std::span<const uint8_t> body,
                                           std::optional<size_t> json_header_length,
                                           const std::vector<engine::TensorInfo>& model_inputs,
                                           const std::vector<engine::TensorInfo>& model_outputs,
                                           const ValidationOptions& options, V2HeaderCache* cache = nullptr);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_KSERVE_V2_REQUEST_H_
