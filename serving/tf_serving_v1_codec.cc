#include "serving/tf_serving_v1_codec.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "serving/json_body.h"
#include "serving/json_tensor_data.h"

namespace s3ml::serving {
namespace {

using nlohmann::json;

std::string InputName(std::string_view name) { return "input \"" + std::string(name) + "\""; }

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A tensor from one columnar value: its nesting is its shape.
Result<TensorPayload> ColumnTensor(const json& value, const engine::TensorInfo& info) {
  TensorPayload payload;
  payload.name = info.name;
  payload.datatype = FromEngineType(info.type);
  const std::string what = InputName(info.name);
  if (value.is_object()) return InvalidArgument(what + ": value is an object, expected numbers");
  S3ML_ASSIGN_OR_RETURN(payload.shape, NestedJsonShape(value, what));
  S3ML_RETURN_IF_ERROR(AppendJsonElements(value, payload.datatype, what, &payload.data));
  return payload;
}

const engine::TensorInfo* FindInput(const std::vector<engine::TensorInfo>& inputs,
                                    const std::string& name) {
  for (const engine::TensorInfo& info : inputs) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

Result<std::vector<TensorPayload>> ParseColumnar(const json& inputs,
                                                 const std::vector<engine::TensorInfo>& model_inputs) {
  std::vector<TensorPayload> payloads;
  if (!inputs.is_object()) {
    if (model_inputs.size() != 1) {
      return InvalidArgument("\"inputs\" must be an object keyed by input name: the model has " +
                             std::to_string(model_inputs.size()) + " inputs");
    }
    S3ML_ASSIGN_OR_RETURN(TensorPayload payload, ColumnTensor(inputs, model_inputs[0]));
    payloads.push_back(std::move(payload));
    return payloads;
  }
  for (const auto& [name, value] : inputs.items()) {
    const engine::TensorInfo* info = FindInput(model_inputs, name);
    if (info == nullptr) return InvalidArgument(InputName(name) + " is not an input of the model");
    S3ML_ASSIGN_OR_RETURN(TensorPayload payload, ColumnTensor(value, *info));
    payloads.push_back(std::move(payload));
  }
  return payloads;
}

// Appends one example's value for `payload` and checks it has the same shape as the others.
Status AppendExample(const json& value, size_t example, TensorPayload* payload) {
  const std::string what = InputName(payload->name) + " of instance " + std::to_string(example);
  if (value.is_object()) return InvalidArgument(what + ": value is an object, expected numbers");
  S3ML_ASSIGN_OR_RETURN(std::vector<int64_t> shape, NestedJsonShape(value, what));
  if (example == 0) {
    payload->shape.insert(payload->shape.end(), shape.begin(), shape.end());
  } else if (!std::equal(shape.begin(), shape.end(), payload->shape.begin() + 1, payload->shape.end()) ||
             shape.size() + 1 != payload->shape.size()) {
    return InvalidArgument(what + ": shape " + ShapeToString(shape) +
                           " differs from instance 0's");
  }
  return AppendJsonElements(value, payload->datatype, what, &payload->data);
}

Result<std::vector<TensorPayload>> ParseRows(const json& instances,
                                             const std::vector<engine::TensorInfo>& model_inputs) {
  if (!instances.is_array() || instances.empty()) {
    return InvalidArgument("\"instances\" must be a non-empty array");
  }
  std::vector<TensorPayload> payloads(model_inputs.size());
  for (size_t i = 0; i < model_inputs.size(); ++i) {
    payloads[i].name = model_inputs[i].name;
    payloads[i].datatype = FromEngineType(model_inputs[i].type);
    payloads[i].shape = {static_cast<int64_t>(instances.size())};
  }
  for (size_t example = 0; example < instances.size(); ++example) {
    const json& instance = instances[example];
    if (!instance.is_object()) {
      if (model_inputs.size() != 1) {
        return InvalidArgument("instance " + std::to_string(example) +
                               " must be an object keyed by input name: the model has " +
                               std::to_string(model_inputs.size()) + " inputs");
      }
      S3ML_RETURN_IF_ERROR(AppendExample(instance, example, &payloads[0]));
      continue;
    }
    if (instance.size() != model_inputs.size()) {
      for (const engine::TensorInfo& info : model_inputs) {
        if (!instance.contains(info.name)) {
          return InvalidArgument(InputName(info.name) + " is missing from instance " +
                                 std::to_string(example));
        }
      }
    }
    for (const auto& [name, value] : instance.items()) {
      const engine::TensorInfo* info = FindInput(model_inputs, name);
      if (info == nullptr) return InvalidArgument(InputName(name) + " is not an input of the model");
      S3ML_RETURN_IF_ERROR(
          AppendExample(value, example, &payloads[static_cast<size_t>(info - model_inputs.data())]));
    }
  }
  return payloads;
}

std::string_view TensorFlowDtype(Datatype type) {
  switch (type) {
    case Datatype::kBool: return "DT_BOOL";
    case Datatype::kUInt8: return "DT_UINT8";
    case Datatype::kInt8: return "DT_INT8";
    case Datatype::kInt16: return "DT_INT16";
    case Datatype::kInt32: return "DT_INT32";
    case Datatype::kInt64: return "DT_INT64";
    case Datatype::kFp32: return "DT_FLOAT";
  }
  return "DT_INVALID";
}

json TensorInfoJson(const engine::TensorInfo& info) {
  json dims = json::array();
  // TensorShapeProto's JSON mapping writes int64 sizes as strings.
  for (int32_t dim : info.shape) dims.push_back({{"size", std::to_string(dim)}, {"name", ""}});
  return {{"dtype", std::string(TensorFlowDtype(FromEngineType(info.type)))},
          {"tensor_shape", {{"dim", dims}, {"unknown_rank", false}}},
          {"name", info.name}};
}

}  // namespace

Result<V1PredictRequest> ParseV1PredictRequest(std::string_view body,
                                               const std::vector<engine::TensorInfo>& model_inputs,
                                               const ValidationOptions& options) {
  S3ML_ASSIGN_OR_RETURN(json request, ParseJsonBody(body, "predict request"));
  if (!request.is_object()) return InvalidArgument("predict request is not a JSON object");
  if (auto signature = request.find("signature_name"); signature != request.end()) {
    if (!signature->is_string()) return InvalidArgument("\"signature_name\" is not a string");
    if (signature->get_ref<const std::string&>() != kV1DefaultSignature) {
      return InvalidArgument("signature \"" + signature->get<std::string>() +
                             "\" does not exist (the model has \"serving_default\")");
    }
  }
  const bool has_instances = request.contains("instances");
  const bool has_inputs = request.contains("inputs");
  if (has_instances == has_inputs) {
    return InvalidArgument("predict request needs exactly one of \"instances\" and \"inputs\"");
  }
  V1PredictRequest parsed;
  std::vector<TensorPayload> payloads;
  if (has_instances) {
    parsed.format = V1Format::kRow;
    for (const engine::TensorInfo& info : model_inputs) {
      if (info.shape.empty()) {
        return InvalidArgument(InputName(info.name) + " is a scalar: use the columnar \"inputs\" format");
      }
    }
    S3ML_ASSIGN_OR_RETURN(payloads, ParseRows(request["instances"], model_inputs));
  } else {
    parsed.format = V1Format::kColumnar;
    S3ML_ASSIGN_OR_RETURN(payloads, ParseColumnar(request["inputs"], model_inputs));
  }
  S3ML_ASSIGN_OR_RETURN(parsed.inputs, ValidateInputs(std::move(payloads), model_inputs, options));
  return parsed;
}

Result<std::string> EncodeV1PredictResponse(V1Format format, const std::vector<TensorPayload>& outputs) {
  for (const TensorPayload& output : outputs) {
    S3ML_RETURN_IF_ERROR(CheckPayloadSize(output, "output \"" + output.name + "\""));
  }
  if (format == V1Format::kColumnar) {
    if (outputs.size() == 1) {
      return Dump({{"outputs", ElementsToNestedJson(outputs[0].data, outputs[0].datatype, outputs[0].shape)}});
    }
    json by_name = json::object();
    for (const TensorPayload& output : outputs) {
      by_name[output.name] = ElementsToNestedJson(output.data, output.datatype, output.shape);
    }
    return Dump({{"outputs", by_name}});
  }
  if (outputs.empty()) return Internal("no outputs to encode");
  for (const TensorPayload& output : outputs) {
    if (output.shape.empty() || output.shape[0] != outputs[0].shape[0] || outputs[0].shape.empty()) {
      return Internal("output \"" + output.name + "\" has no batch dim shared with the other outputs");
    }
  }
  const int64_t examples = outputs[0].shape[0];
  json predictions = json::array();
  for (int64_t example = 0; example < examples; ++example) {
    json by_name = json::object();
    for (const TensorPayload& output : outputs) {
      const std::span<const int64_t> example_shape(output.shape.begin() + 1, output.shape.end());
      const size_t example_bytes = output.data.size() / static_cast<size_t>(examples);
      const std::span<const uint8_t> slice(output.data.data() + static_cast<size_t>(example) * example_bytes,
                                           example_bytes);
      by_name[output.name] = ElementsToNestedJson(slice, output.datatype, example_shape);
    }
    predictions.push_back(outputs.size() == 1 ? by_name[outputs[0].name] : by_name);
  }
  return Dump({{"predictions", predictions}});
}

std::string V1ModelStatusJson(const std::vector<int64_t>& versions) {
  json statuses = json::array();
  for (int64_t version : versions) {
    statuses.push_back({{"version", std::to_string(version)},
                        {"state", "AVAILABLE"},
                        {"status", {{"error_code", "OK"}, {"error_message", ""}}}});
  }
  return Dump({{"model_version_status", statuses}});
}

std::string V1ModelMetadataJson(std::string_view model_name, int64_t version,
                                const std::vector<engine::TensorInfo>& inputs,
                                const std::vector<engine::TensorInfo>& outputs) {
  json in = json::object(), out = json::object();
  for (const engine::TensorInfo& info : inputs) in[info.name] = TensorInfoJson(info);
  for (const engine::TensorInfo& info : outputs) out[info.name] = TensorInfoJson(info);
  json signature = {{"inputs", in}, {"outputs", out}, {"method_name", "tensorflow/serving/predict"}};
  json metadata = {
      {"model_spec",
       {{"name", std::string(model_name)}, {"signature_name", ""}, {"version", std::to_string(version)}}},
      {"metadata",
       {{"signature_def",
         {{"signature_def", {{std::string(kV1DefaultSignature), signature}}}}}}}};
  return Dump(metadata);
}

}  // namespace s3ml::serving
