#include "serving/kserve_v2_request.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>

#include "core/byte_reader.h"
#include "core/checked_math.h"
#include "serving/json_body.h"
#include "serving/json_tensor_data.h"
#include "serving/json_tensor_scan.h"
#include "serving/v2_header_cache.h"

namespace s3ml::serving {
namespace {

using nlohmann::json;

std::string InputName(std::string_view name) { return "input \"" + std::string(name) + "\""; }

// An input's header fields, before its data is known.
struct InputHeader {
  TensorPayload payload;
  const json* data = nullptr;           // the "data" field, when inline
  std::optional<size_t> binary_size;    // parameters.binary_data_size, when binary
};

Result<std::vector<int64_t>> ParseShape(const json& shape, const std::string& what) {
  if (!shape.is_array()) return InvalidArgument(what + ": \"shape\" must be an array of integers");
  if (shape.size() > kMaxJsonTensorRank) {
    return InvalidArgument(what + ": \"shape\" has more than " + std::to_string(kMaxJsonTensorRank) +
                           " dimensions");
  }
  std::vector<int64_t> dims;
  for (const json& dim : shape) {
    if (!dim.is_number_integer() || (dim.is_number_unsigned() &&
                                     dim.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) {
      return InvalidArgument(what + ": \"shape\" must be an array of integers");
    }
    int64_t value = dim.get<int64_t>();
    if (value < 0) {
      return InvalidArgument(what + ": \"shape\" has a negative dimension " + std::to_string(value));
    }
    dims.push_back(value);
  }
  return dims;
}

Result<InputHeader> ParseInputHeader(const json& input, size_t position) {
  if (!input.is_object()) {
    return InvalidArgument("inputs[" + std::to_string(position) + "] is not an object");
  }
  auto name = input.find("name");
  if (name == input.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    return InvalidArgument("inputs[" + std::to_string(position) + "] has no \"name\" string");
  }
  InputHeader header;
  header.payload.name = name->get<std::string>();
  const std::string what = InputName(header.payload.name);

  auto datatype = input.find("datatype");
  if (datatype == input.end() || !datatype->is_string()) {
    return InvalidArgument(what + ": \"datatype\" is missing or not a string");
  }
  Result<Datatype> type = ParseDatatype(datatype->get_ref<const std::string&>());
  if (!type.ok()) return type.status().WithContext(what);
  header.payload.datatype = *type;

  auto shape = input.find("shape");
  if (shape == input.end()) return InvalidArgument(what + ": \"shape\" is missing");
  S3ML_ASSIGN_OR_RETURN(header.payload.shape, ParseShape(*shape, what));

  auto parameters = input.find("parameters");
  if (parameters != input.end()) {
    if (!parameters->is_object()) return InvalidArgument(what + ": \"parameters\" is not an object");
    auto size = parameters->find("binary_data_size");
    if (size != parameters->end()) {
      if (!size->is_number_integer() || (!size->is_number_unsigned() && size->get<int64_t>() < 0)) {
        return InvalidArgument(what + ": \"binary_data_size\" must be a non-negative integer");
      }
      const uint64_t bytes = size->get<uint64_t>();
      if (bytes > std::numeric_limits<size_t>::max()) {
        return InvalidArgument(what + ": \"binary_data_size\" is too large");
      }
      header.binary_size = static_cast<size_t>(bytes);
    }
  }
  auto data = input.find("data");
  if (data != input.end()) header.data = &*data;
  if (header.data != nullptr && header.binary_size.has_value()) {
    return InvalidArgument(what + ": has both \"data\" and \"binary_data_size\"");
  }
  if (header.data == nullptr && !header.binary_size.has_value()) {
    return InvalidArgument(what + ": has neither \"data\" nor \"binary_data_size\"");
  }
  return header;
}

Status FillInlineData(const json& data, TensorPayload* payload) {
  const std::string what = InputName(payload->name);
  if (!data.is_array()) return InvalidArgument(what + ": \"data\" is not an array");
  S3ML_ASSIGN_OR_RETURN(std::vector<int64_t> nesting, NestedJsonShape(data, what));
  S3ML_ASSIGN_OR_RETURN(size_t count, ElementCount(payload->shape, what));
  // Nested data must spell the declared shape exactly; flat data only needs the right count.
  if (nesting.size() > 1 && nesting != payload->shape) {
    return InvalidArgument(what + ": \"data\" is nested as " + ShapeToString(nesting) +
                           " but \"shape\" is " + ShapeToString(payload->shape));
  }
  size_t given = 1;
  for (int64_t dim : nesting) given *= static_cast<size_t>(dim);  // bounded by the body size
  if (given != count) {
    return InvalidArgument(what + ": \"data\" has " + std::to_string(given) +
                           " elements but shape " + ShapeToString(payload->shape) + " needs " +
                           std::to_string(count));
  }
  payload->data.reserve(count * DatatypeSize(payload->datatype));
  return AppendJsonElements(data, payload->datatype, what, &payload->data);
}

// FillInlineData for an array CutV2InputData took out of the text. Its errors are never shown:
// any of them sends the caller to the DOM path, which reports the real one.
Status FillScannedData(std::string_view array, TensorPayload* payload) {
  const std::string what = InputName(payload->name);
  S3ML_ASSIGN_OR_RETURN(size_t count, ElementCount(payload->shape, what));
  // Every element takes at least two characters ("1,"); a declared shape alone reserves nothing.
  payload->data.reserve(std::min(count, array.size() / 2 + 1) * DatatypeSize(payload->datatype));
  std::vector<int64_t> nesting;
  if (!ScanJsonNumbers(array, payload->datatype, &nesting, &payload->data)) {
    return InvalidArgument(what + ": \"data\" is not for the fast path");
  }
  if (nesting.size() > 1 && nesting != payload->shape) return InvalidArgument(what + ": nesting");
  size_t given = 1;
  for (int64_t dim : nesting) given *= static_cast<size_t>(dim);  // bounded by the body size
  if (given != count) return InvalidArgument(what + ": element count");
  return Status::Ok();
}

Result<std::vector<V2RequestedOutput>> ParseRequestedOutputs(
    const json& outputs, const std::vector<engine::TensorInfo>& model_outputs) {
  if (!outputs.is_array()) return InvalidArgument("\"outputs\" is not an array");
  std::vector<V2RequestedOutput> requested;
  std::set<std::string> seen;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const json& output = outputs[i];
    if (!output.is_object()) return InvalidArgument("outputs[" + std::to_string(i) + "] is not an object");
    auto name = output.find("name");
    if (name == output.end() || !name->is_string()) {
      return InvalidArgument("outputs[" + std::to_string(i) + "] has no \"name\" string");
    }
    V2RequestedOutput entry;
    entry.name = name->get<std::string>();
    const std::string what = "output \"" + entry.name + "\"";
    bool known = false;
    for (const engine::TensorInfo& info : model_outputs) known = known || info.name == entry.name;
    if (!known) return InvalidArgument(what + " is not an output of the model");
    if (!seen.insert(entry.name).second) return InvalidArgument(what + " is requested more than once");
    auto parameters = output.find("parameters");
    if (parameters != output.end()) {
      if (!parameters->is_object()) return InvalidArgument(what + ": \"parameters\" is not an object");
      auto binary = parameters->find("binary_data");
      if (binary != parameters->end()) {
        if (!binary->is_boolean()) return InvalidArgument(what + ": \"binary_data\" is not a boolean");
        entry.binary_data = binary->get<bool>();
      }
      if (auto classes = parameters->find("classification"); classes != parameters->end()) {
        if (!classes->is_number_unsigned() || classes->get<uint64_t>() == 0) {
          return InvalidArgument(what + ": \"classification\" is not a positive integer");
        }
        // More than the classes there are returns them all (classification.h).
        entry.classification = static_cast<size_t>(std::min<uint64_t>(classes->get<uint64_t>(), SIZE_MAX));
      }
    }
    requested.push_back(std::move(entry));
  }
  return requested;
}

}  // namespace

Result<size_t> ParseInferenceHeaderContentLength(std::string_view value) {
  if (value.empty() || value.size() > 19) {
    return InvalidArgument("Inference-Header-Content-Length \"" + std::string(value.substr(0, 24)) +
                           "\" is not a decimal byte count");
  }
  size_t length = 0;
  for (char c : value) {
    if (c < '0' || c > '9') {
      return InvalidArgument("Inference-Header-Content-Length \"" + std::string(value) +
                             "\" is not a decimal byte count");
    }
    length = length * 10 + static_cast<size_t>(c - '0');  // 19 digits cannot overflow 64 bits
  }
  return length;
}

namespace {

// Where each input's data came from, by input name; `all_binary` false once an input had "data".
struct DataSources {
  std::vector<std::pair<std::string, BinarySlice>> binary;
  bool all_binary = true;
};

// The request from its JSON; `reader` is at the binary data after the JSON. `cut` (null on the
// DOM path) holds the "data" arrays CutV2InputData replaced by null in `request`.
Result<V2InferRequest> ParseRequestJson(const json& request, ByteReader& reader,
                                        std::optional<size_t> json_header_length, const CutJson* cut,
                                        const std::vector<engine::TensorInfo>& model_inputs,
                                        const std::vector<engine::TensorInfo>& model_outputs,
                                        const ValidationOptions& options, DataSources* sources) {
  if (!request.is_object()) return InvalidArgument("infer request is not a JSON object");

  V2InferRequest parsed;
  if (auto id = request.find("id"); id != request.end()) {
    if (!id->is_string()) return InvalidArgument("\"id\" is not a string");
    parsed.id = id->get<std::string>();
  }
  if (auto parameters = request.find("parameters"); parameters != request.end()) {
    if (!parameters->is_object()) return InvalidArgument("\"parameters\" is not an object");
    parsed.parameters = *parameters;
    if (auto binary = parameters->find("binary_data_output"); binary != parameters->end()) {
      if (!binary->is_boolean()) return InvalidArgument("\"binary_data_output\" is not a boolean");
      parsed.binary_data_output = binary->get<bool>();
    }
  }
  auto inputs = request.find("inputs");
  if (inputs == request.end() || !inputs->is_array()) {
    return InvalidArgument("infer request has no \"inputs\" array");
  }
  std::vector<TensorPayload> payloads;
  for (size_t i = 0; i < inputs->size(); ++i) {
    S3ML_ASSIGN_OR_RETURN(InputHeader header, ParseInputHeader((*inputs)[i], i));
    const std::string what = InputName(header.payload.name);
    const std::string_view* scanned = nullptr;
    if (cut != nullptr) {
      for (const auto& [index, array] : cut->arrays) {
        if (index == i) scanned = &array;
      }
    }
    if (header.binary_size.has_value()) {
      if (!json_header_length.has_value()) {
        return InvalidArgument(what + ": \"binary_data_size\" needs the "
                               "Inference-Header-Content-Length header");
      }
      std::span<const uint8_t> bytes;
      if (!reader.ReadBytes(*header.binary_size, &bytes)) {
        return InvalidArgument(what + ": \"binary_data_size\" " + std::to_string(*header.binary_size) +
                               " exceeds the " + std::to_string(reader.remaining()) +
                               " binary bytes left in the body");
      }
      header.payload.data.assign(bytes.begin(), bytes.end());
      S3ML_RETURN_IF_ERROR(CheckPayloadSize(header.payload, what));
      const BinarySlice* previous = sources->binary.empty() ? nullptr : &sources->binary.back().second;
      const size_t offset = previous == nullptr ? 0 : previous->offset + previous->size;
      sources->binary.emplace_back(header.payload.name, BinarySlice{offset, bytes.size()});
    } else if (scanned != nullptr) {
      sources->all_binary = false;
      if (!header.data->is_null()) return Internal(what + ": the cut \"data\" is not in place");
      S3ML_RETURN_IF_ERROR(FillScannedData(*scanned, &header.payload));
    } else {
      sources->all_binary = false;
      S3ML_RETURN_IF_ERROR(FillInlineData(*header.data, &header.payload));
    }
    payloads.push_back(std::move(header.payload));
  }
  if (!reader.empty()) {
    return InvalidArgument("body has " + std::to_string(reader.remaining()) +
                           " bytes after the last binary input");
  }
  if (auto outputs = request.find("outputs"); outputs != request.end()) {
    S3ML_ASSIGN_OR_RETURN(parsed.outputs, ParseRequestedOutputs(*outputs, model_outputs));
  }
  S3ML_ASSIGN_OR_RETURN(parsed.inputs, ValidateInputs(std::move(payloads), model_inputs, options));
  return parsed;
}

// Offers a successful binary-tensor parse to the cache, with each input's slice in model order.
void Remember(V2HeaderCache* cache, std::string_view json_header, const V2InferRequest& request,
              const DataSources& sources, size_t binary_bytes) {
  if (!sources.all_binary) return;
  std::vector<BinarySlice> slices;
  for (const TensorPayload& input : request.inputs) {
    auto it = std::find_if(sources.binary.begin(), sources.binary.end(),
                           [&](const auto& source) { return source.first == input.name; });
    if (it == sources.binary.end()) return;
    slices.push_back(it->second);
  }
  cache->Remember(json_header, request, std::move(slices), binary_bytes);
}

}  // namespace

Result<V2InferRequest> ParseV2InferRequest(std::span<const uint8_t> body,
                                           std::optional<size_t> json_header_length,
                                           const std::vector<engine::TensorInfo>& model_inputs,
                                           const std::vector<engine::TensorInfo>& model_outputs,
                                           const ValidationOptions& options, V2HeaderCache* cache) {
  const size_t json_length = json_header_length.value_or(body.size());
  if (json_length > body.size()) {
    return InvalidArgument("Inference-Header-Content-Length " + std::to_string(json_length) +
                           " exceeds the body's " + std::to_string(body.size()) + " bytes");
  }
  const std::string_view text(reinterpret_cast<const char*>(body.data()), json_length);
  const std::span<const uint8_t> binary = body.subspan(json_length);
  if (cache != nullptr && !json_header_length.has_value()) cache = nullptr;  // JSON tensors: nothing to reuse
  if (cache != nullptr) {
    if (std::optional<V2InferRequest> remembered = cache->Find(text, binary)) return std::move(*remembered);
  }
  // Fast path for inline tensors (json_tensor_scan.h): nlohmann parses the request without its
  // "data" arrays. Anything it refuses goes the DOM path below, which gives the error.
  if (std::optional<CutJson> cut = CutV2InputData(text)) {
    Result<json> rest = ParseJsonBody(cut->rest, "infer request");
    if (rest.ok()) {
      ByteReader reader(binary);
      DataSources sources;
      Result<V2InferRequest> fast = ParseRequestJson(rest.value(), reader, json_header_length, &*cut,
                                                     model_inputs, model_outputs, options, &sources);
      if (fast.ok()) {
        if (cache != nullptr) Remember(cache, text, fast.value(), sources, binary.size());
        return fast;
      }
    }
  }
  S3ML_ASSIGN_OR_RETURN(json request, ParseJsonBody(text, "infer request"));
  ByteReader reader(binary);
  DataSources sources;
  Result<V2InferRequest> parsed =
      ParseRequestJson(request, reader, json_header_length, nullptr, model_inputs, model_outputs, options, &sources);
  if (parsed.ok() && cache != nullptr) Remember(cache, text, parsed.value(), sources, binary.size());
  return parsed;
}

}  // namespace s3ml::serving
