// The client's view of KServe / Open Inference Protocol v2 tensors, infer calls and model
// metadata, and their encoding on the wire (the server side is serving/kserve_v2_*.h).
//
// Requests are encoded either as JSON ("data": flat row-major list) or with the binary tensor data
// extension: the JSON header (each input with parameters.binary_data_size, and
// parameters.binary_data_output = true) followed by the raw little-endian tensor bytes, with the
// JSON's length in the Inference-Header-Content-Length HTTP header.
// Responses are decoded in both forms: outputs with parameters.binary_data_size take their bytes,
// in output order, from after the JSON header (whose length the response's
// Inference-Header-Content-Length gives), the rest carry "data". BYTES outputs (classification)
// decode into V2Tensor::strings: a flat list of strings, or binary elements each prefixed by its
// 4-byte little-endian length. Every field of a response is
// untrusted: sizes are checked against shape x datatype, the body must end exactly after the last
// binary output, errors are kInvalidArgument naming the output or field.
#ifndef S3ML_CLIENT_V2_TENSOR_H_
#define S3ML_CLIENT_V2_TENSOR_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "engine/tensor_info.h"

namespace s3ml::client {

inline constexpr char kInferenceHeaderContentLength[] = "Inference-Header-Content-Length";

// v2 datatype names: "BOOL", "UINT8", "INT8", "INT16", "INT32", "INT64", "FP32".
std::string_view V2DatatypeName(engine::DataType type);
Result<engine::DataType> ParseV2Datatype(std::string_view name);

struct V2Tensor {
  std::string name;
  std::string datatype;        // v2 name
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;   // row-major, little-endian, element size of the datatype
  std::vector<std::string> strings = {};  // instead of data for "BYTES" (responses only), row-major
};

enum class TensorEncoding { kBinary, kJson };

struct V2InferCall {
  std::string id;                    // optional request id ("" = none)
  std::vector<V2Tensor> inputs;
  std::vector<std::string> outputs;  // empty: all outputs
  TensorEncoding encoding = TensorEncoding::kBinary;  // inputs, and the outputs asked for
  // > 0: each output answered with its top N classes instead, as BYTES "<value>:<index>[:<label>]"
  // (the classification extension, serving/classification.h). Needs named outputs.
  size_t classification = 0;
};

struct V2InferResult {
  std::string model_name;
  std::string model_version;
  std::string id;
  std::vector<V2Tensor> outputs;
};

struct V2TensorMetadata {
  std::string name;
  std::string datatype;
  std::vector<int64_t> shape;  // -1 for a variable dimension
  // parameters.quantization {"scale", "zero_point"} if the server reports it.
  std::optional<std::pair<float, int64_t>> quantization;
};

struct V2ModelMetadata {
  std::string name;
  std::vector<std::string> versions;
  std::string platform;
  std::vector<V2TensorMetadata> inputs;
  std::vector<V2TensorMetadata> outputs;
};

struct EncodedInferRequest {
  std::string body;
  std::optional<size_t> json_header_length;  // for Inference-Header-Content-Length
  std::string content_type;
};

// InvalidArgument for an input whose data size does not match shape x datatype.
Result<EncodedInferRequest> EncodeV2InferRequest(const V2InferCall& call);

// `json_header_length` is the response's Inference-Header-Content-Length, if present.
Result<V2InferResult> DecodeV2InferResponse(std::string_view body, std::optional<std::string_view> json_header_length);

Result<V2ModelMetadata> ParseV2ModelMetadata(std::string_view json);

// The engine's TensorInfo for a metadata tensor, with variable dimensions (-1) set to 1 (one
// request carries one image). InvalidArgument for an unknown datatype or a dimension < -1.
Result<engine::TensorInfo> ToTensorInfo(const V2TensorMetadata& metadata);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_V2_TENSOR_H_
