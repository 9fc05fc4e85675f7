#include "serving/kserve_v2_response.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "serving/classification.h"
#include "serving/json_tensor_data.h"
#include "serving/tensor_validator.h"

namespace s3ml::serving {
namespace {

using nlohmann::json;

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json TensorMetadata(const engine::TensorInfo& info, bool batch_dim_variable) {
  json shape = json::array();
  for (size_t d = 0; d < info.shape.size(); ++d) {
    shape.push_back(d == 0 && batch_dim_variable ? -1 : static_cast<int64_t>(info.shape[d]));
  }
  json metadata = {{"name", info.name},
                   {"datatype", std::string(DatatypeName(FromEngineType(info.type)))},
                   {"shape", shape}};
  // Per-tensor quantization, in the form clients read it (client/v2_tensor.h). Per-channel
  // quantization (several scales) has no single real value per element and is not reported, nor
  // is a scale a client would refuse (not finite or not positive).
  const engine::Quantization& q = info.quantization;
  if (q.scales.size() == 1 && q.zero_points.size() <= 1 && std::isfinite(q.scales[0]) && q.scales[0] > 0) {
    const int64_t zero_point = q.zero_points.empty() ? 0 : q.zero_points[0];
    metadata["parameters"] = {{"quantization", {{"scale", q.scales[0]}, {"zero_point", zero_point}}}};
  }
  return metadata;
}

}  // namespace

Result<EncodedBody> EncodeV2InferResponse(std::string_view model_name, std::string_view model_version,
                                          const V2InferRequest& request, const std::vector<TensorPayload>& outputs,
                                          const ClassificationOptions& classification) {
  std::vector<V2RequestedOutput> selection = request.outputs;
  if (selection.empty()) {
    for (const TensorPayload& output : outputs) selection.push_back({.name = output.name});
  }
  json response = {{"model_name", std::string(model_name)},
                   {"model_version", std::string(model_version)}};
  if (!request.id.empty()) response["id"] = request.id;
  json encoded_outputs = json::array();
  std::string binary;
  for (const V2RequestedOutput& wanted : selection) {
    const TensorPayload* output = nullptr;
    for (const TensorPayload& candidate : outputs) {
      if (candidate.name == wanted.name) output = &candidate;
    }
    if (output == nullptr) return Internal("output \"" + wanted.name + "\" was not produced");
    S3ML_RETURN_IF_ERROR(CheckPayloadSize(*output, "output \"" + output->name + "\""));
    const bool as_binary = wanted.binary_data || request.binary_data_output;
    if (wanted.classification > 0) {
      S3ML_ASSIGN_OR_RETURN(Classification classes, Classify(*output, wanted.classification, classification.batched,
                                                             classification.labels));
      json entry = {{"name", output->name}, {"datatype", "BYTES"}, {"shape", classes.shape}};
      if (as_binary) {
        const std::string bytes = EncodeBytesElements(classes.elements);
        entry["parameters"] = {{"binary_data_size", bytes.size()}};
        binary += bytes;
      } else {
        entry["data"] = classes.elements;
      }
      encoded_outputs.push_back(std::move(entry));
      continue;
    }
    json entry = {{"name", output->name},
                  {"datatype", std::string(DatatypeName(output->datatype))},
                  {"shape", output->shape}};
    if (as_binary) {
      entry["parameters"] = {{"binary_data_size", output->data.size()}};
      binary.append(reinterpret_cast<const char*>(output->data.data()), output->data.size());
    } else {
      entry["data"] = ElementsToFlatJson(output->data, output->datatype);
    }
    encoded_outputs.push_back(std::move(entry));
  }
  response["outputs"] = std::move(encoded_outputs);

  EncodedBody encoded;
  encoded.body = Dump(response);
  // Any binary output (even an empty one) switches to the extension's framing.
  bool any_binary = request.binary_data_output;
  for (const V2RequestedOutput& wanted : selection) any_binary = any_binary || wanted.binary_data;
  if (any_binary) {
    encoded.json_header_length = encoded.body.size();
    encoded.body += binary;
    encoded.content_type = "application/octet-stream";
  } else {
    encoded.content_type = "application/json";
  }
  return encoded;
}

std::string V2ModelMetadataJson(std::string_view model_name, const std::vector<std::string>& versions,
                                const std::vector<engine::TensorInfo>& inputs,
                                const std::vector<engine::TensorInfo>& outputs,
                                bool batch_dim_variable) {
  json metadata = {{"name", std::string(model_name)}, {"versions", versions}, {"platform", "tflite"}};
  json in = json::array(), out = json::array();
  for (const engine::TensorInfo& info : inputs) in.push_back(TensorMetadata(info, batch_dim_variable));
  for (const engine::TensorInfo& info : outputs) out.push_back(TensorMetadata(info, batch_dim_variable));
  metadata["inputs"] = std::move(in);
  metadata["outputs"] = std::move(out);
  return Dump(metadata);
}

std::string V2ServerMetadataJson(std::string_view server_name, std::string_view server_version,
                                 const std::vector<std::string>& extensions) {
  return Dump({{"name", std::string(server_name)},
               {"version", std::string(server_version)},
               {"extensions", extensions}});
}

}  // namespace s3ml::serving
