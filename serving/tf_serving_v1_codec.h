// TF-Serving v1 REST: POST /v1/models/{m}[/versions/{v}]:predict, model status and metadata.
//
// Requests are {"signature_name"?, "instances": [...]} (row format: one value per example, or
// one object keyed by input name per example for multi-input models) or {"inputs": ...}
// (columnar: the tensor itself for single-input models, or an object keyed by input name).
// TF-Serving's JSON carries no datatypes, so values are read as the model's input types; shapes
// come from the nesting (row format: [examples, ...example shape]). The result is validated
// against the model like a v2 request. Responses mirror the request's format: {"predictions":
// [...]} for rows (per example; objects keyed by output name when there are several outputs)
// and {"outputs": ...} for columns.
#ifndef S3ML_SERVING_TF_SERVING_V1_CODEC_H_
#define S3ML_SERVING_TF_SERVING_V1_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "engine/tensor_info.h"
#include "serving/tensor_payload.h"
#include "serving/tensor_validator.h"

namespace s3ml::serving {

// The only signature a TFLite model served here has.
inline constexpr std::string_view kV1DefaultSignature = "serving_default";

enum class V1Format { kRow, kColumnar };

struct V1PredictRequest {
  V1Format format = V1Format::kRow;
  std::vector<TensorPayload> inputs;  // validated, in the model's input order
};

Result<V1PredictRequest> ParseV1PredictRequest(std::string_view body,
                                               const std::vector<engine::TensorInfo>& model_inputs,
                                               const ValidationOptions& options);

// kInternal when outputs are inconsistent (row format needs one shared leading dim): a bug.
Result<std::string> EncodeV1PredictResponse(V1Format format, const std::vector<TensorPayload>& outputs);

// GET /v1/models/{m}[/versions/{v}]: every listed version as AVAILABLE with status OK.
std::string V1ModelStatusJson(const std::vector<int64_t>& versions);

// GET /v1/models/{m}[/versions/{v}]/metadata: the model spec and its one signature_def, with
// TensorFlow's dtype names (DT_FLOAT, ...) and shapes as TensorShapeProto JSON.
std::string V1ModelMetadataJson(std::string_view model_name, int64_t version,
                                const std::vector<engine::TensorInfo>& inputs,
                                const std::vector<engine::TensorInfo>& outputs);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_TF_SERVING_V1_CODEC_H_
