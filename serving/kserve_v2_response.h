// KServe / Open Inference Protocol v2 infer responses and metadata documents.
//
// An infer response lists the requested outputs (all of them, in model order, when the request
// named none). Outputs asked for with binary_data (or all, with binary_data_output) are appended
// after the JSON as raw little-endian bytes (BYTES: each element's 4-byte little-endian length,
// then the element), and the JSON's length is returned for the Inference-Header-Content-Length
// header; otherwise the body is JSON only.
#ifndef S3ML_SERVING_KSERVE_V2_RESPONSE_H_
#define S3ML_SERVING_KSERVE_V2_RESPONSE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "engine/tensor_info.h"
#include "serving/kserve_v2_request.h"
#include "serving/tensor_payload.h"

namespace s3ml::client {
class LabelMap;
}  // namespace s3ml::client

namespace s3ml::serving {

struct EncodedBody {
  std::string body;
  // Set when binary tensors follow the JSON: the value of Inference-Header-Content-Length.
  std::optional<size_t> json_header_length;
  std::string content_type;  // "application/json" or "application/octet-stream"
};

// What classification.h needs of the model: its labels (null: none) and whether its leading
// dimension is a batch.
struct ClassificationOptions {
  const client::LabelMap* labels = nullptr;
  bool batched = false;
};

// `outputs` are the engine's results by name. Outputs asked for with "classification" are
// answered as classification.h says. Errors (kInternal) only when an output the request asked for
// is missing or a payload's data does not match its shape: bugs, not bad input.
Result<EncodedBody> EncodeV2InferResponse(std::string_view model_name, std::string_view model_version,
                                          const V2InferRequest& request, const std::vector<TensorPayload>& outputs,
                                          const ClassificationOptions& classification = {});

// GET /v2/models/{m}[/versions/{v}]: {"name","versions","platform":"tflite","inputs","outputs"}.
// With `batch_dim_variable` the leading dim of every tensor is reported as -1. A tensor with
// per-tensor quantization carries "parameters": {"quantization": {"scale": S, "zero_point": Z}}
// (real value = S * (q - Z)), so clients can dequantize uint8 outputs and encode inputs.
std::string V2ModelMetadataJson(std::string_view model_name, const std::vector<std::string>& versions,
                                const std::vector<engine::TensorInfo>& inputs,
                                const std::vector<engine::TensorInfo>& outputs,
                                bool batch_dim_variable);

// GET /v2: {"name","version","extensions":[...]}.
std::string V2ServerMetadataJson(std::string_view server_name, std::string_view server_version,
                                 const std::vector<std::string>& extensions);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_KSERVE_V2_RESPONSE_H_
