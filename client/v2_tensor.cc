#include "client/v2_tensor.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

namespace s3ml::client {
namespace {

using engine::DataType;
using Json = nlohmann::json;

// An element count of at most 2^31 elements: far more than a response may hold anyway.
constexpr uint64_t kMaxElements = uint64_t{1} << 31;

Result<size_t> ElementCount(const std::vector<int64_t>& shape, const std::string& what) {
  uint64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0) return InvalidArgument(what + ": negative dimension in shape");
    if (dim != 0 && count > kMaxElements / static_cast<uint64_t>(dim)) return InvalidArgument(what + ": shape too large");
    count *= static_cast<uint64_t>(dim);
  }
  return static_cast<size_t>(count);
}

Result<size_t> ByteSize(const std::string& datatype, const std::vector<int64_t>& shape, const std::string& what) {
  S3ML_ASSIGN_OR_RETURN(DataType type, ParseV2Datatype(datatype));
  S3ML_ASSIGN_OR_RETURN(size_t count, ElementCount(shape, what));
  return count * engine::DataTypeSize(type);
}

// BYTES elements of the binary extension: each a 4-byte little-endian length, then its bytes,
// filling `bytes` exactly.
Result<std::vector<std::string>> SplitBytesElements(std::string_view bytes, size_t count, const std::string& what) {
  std::vector<std::string> elements;
  while (!bytes.empty()) {
    if (elements.size() == count) return InvalidArgument(what + ": more BYTES elements than the shape holds");
    if (bytes.size() < 4) return InvalidArgument(what + ": truncated BYTES element length");
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    const size_t length = size_t{p[0]} | size_t{p[1]} << 8 | size_t{p[2]} << 16 | size_t{p[3]} << 24;
    bytes.remove_prefix(4);
    if (length > bytes.size()) return InvalidArgument(what + ": BYTES element longer than the data");
    elements.emplace_back(bytes.substr(0, length));
    bytes.remove_prefix(length);
  }
  if (elements.size() != count) return InvalidArgument(what + ": fewer BYTES elements than the shape holds");
  return elements;
}

Result<std::vector<std::string>> JsonBytesElements(const Json& data, size_t count, const std::string& what) {
  if (!data.is_array() || data.size() != count) {
    return InvalidArgument(what + ": BYTES data is not a flat list of " + std::to_string(count) + " strings");
  }
  std::vector<std::string> elements;
  for (const Json& item : data) {
    if (!item.is_string()) return InvalidArgument(what + ": a BYTES element is not a string");
    elements.push_back(item.get<std::string>());
  }
  return elements;
}

template <typename T>
void AppendLe(std::vector<uint8_t>& out, T value) {
  uint8_t bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));  // little-endian hosts only (x86-64, aarch64)
  out.insert(out.end(), bytes, bytes + sizeof(T));
}

template <typename T>
T ReadLe(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

Json ElementsToJson(const std::vector<uint8_t>& data, DataType type) {
  Json list = Json::array();
  const size_t size = engine::DataTypeSize(type);
  for (size_t at = 0; at + size <= data.size(); at += size) {
    const uint8_t* p = data.data() + at;
    switch (type) {
      case DataType::kFloat32: list.push_back(ReadLe<float>(p)); break;
      case DataType::kUInt8: list.push_back(ReadLe<uint8_t>(p)); break;
      case DataType::kInt8: list.push_back(ReadLe<int8_t>(p)); break;
      case DataType::kInt16: list.push_back(ReadLe<int16_t>(p)); break;
      case DataType::kInt32: list.push_back(ReadLe<int32_t>(p)); break;
      case DataType::kInt64: list.push_back(ReadLe<int64_t>(p)); break;
      case DataType::kBool: list.push_back(*p != 0); break;
    }
  }
  return list;
}

// Appends one JSON element of `type`; refuses values that do not fit.
Status AppendElement(const Json& v, DataType type, std::vector<uint8_t>& out, const std::string& what) {
  auto integer = [&](int64_t lo, int64_t hi) -> Result<int64_t> {
    if (v.is_number_unsigned()) {
      uint64_t u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(hi)) return InvalidArgument(what + ": value out of range");
      return static_cast<int64_t>(u);
    }
    if (!v.is_number_integer()) return InvalidArgument(what + ": expected an integer");
    int64_t i = v.get<int64_t>();
    if (i < lo || i > hi) return InvalidArgument(what + ": value out of range");
    return i;
  };
  switch (type) {
    case DataType::kFloat32: {
      if (!v.is_number()) return InvalidArgument(what + ": expected a number");
      AppendLe<float>(out, v.get<float>());
      return Status::Ok();
    }
    case DataType::kBool: {
      if (!v.is_boolean()) return InvalidArgument(what + ": expected a boolean");
      out.push_back(v.get<bool>() ? 1 : 0);
      return Status::Ok();
    }
    case DataType::kUInt8: {
      S3ML_ASSIGN_OR_RETURN(int64_t i, integer(0, 255));
      AppendLe<uint8_t>(out, static_cast<uint8_t>(i));
      return Status::Ok();
    }
    case DataType::kInt8: {
      S3ML_ASSIGN_OR_RETURN(int64_t i, integer(-128, 127));
      AppendLe<int8_t>(out, static_cast<int8_t>(i));
      return Status::Ok();
    }
    case DataType::kInt16: {
      S3ML_ASSIGN_OR_RETURN(int64_t i, integer(-32768, 32767));
      AppendLe<int16_t>(out, static_cast<int16_t>(i));
      return Status::Ok();
    }
    case DataType::kInt32: {
      S3ML_ASSIGN_OR_RETURN(int64_t i, integer(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()));
      AppendLe<int32_t>(out, static_cast<int32_t>(i));
      return Status::Ok();
    }
    case DataType::kInt64: {
      S3ML_ASSIGN_OR_RETURN(int64_t i, integer(std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()));
      AppendLe<int64_t>(out, i);
      return Status::Ok();
    }
  }
  return InvalidArgument(what + ": unknown datatype");
}

// Flat or nested row-major lists, as the protocol allows.
Status FlattenData(const Json& data, DataType type, std::vector<uint8_t>& out, size_t limit, const std::string& what,
                   int depth = 0) {
  if (depth > 16) return InvalidArgument(what + ": data nested too deeply");
  if (!data.is_array()) return AppendElement(data, type, out, what);
  for (const Json& item : data) {
    if (out.size() >= limit) return InvalidArgument(what + ": more data elements than the shape holds");
    S3ML_RETURN_IF_ERROR(FlattenData(item, type, out, limit, what, depth + 1));
  }
  return Status::Ok();
}

Result<std::vector<int64_t>> ParseShape(const Json& j, const std::string& what, bool allow_variable) {
  if (!j.is_array()) return InvalidArgument(what + ": shape missing or not a list");
  if (j.size() > 16) return InvalidArgument(what + ": too many dimensions");
  std::vector<int64_t> shape;
  for (const Json& d : j) {
    if (!d.is_number_integer()) return InvalidArgument(what + ": shape holds a non-integer");
    int64_t v = d.get<int64_t>();
    if (v < (allow_variable ? -1 : 0)) return InvalidArgument(what + ": bad dimension " + std::to_string(v));
    shape.push_back(v);
  }
  return shape;
}

Result<std::string> StringMember(const Json& j, const char* name, const std::string& what) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return InvalidArgument(what + ": " + name + " missing or not a string");
  return it->get<std::string>();
}

Result<size_t> ParseHeaderLength(std::string_view value) {
  size_t n = 0;
  if (value.empty()) return InvalidArgument("Inference-Header-Content-Length is empty");
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size()) {
    return InvalidArgument("Inference-Header-Content-Length '" + std::string(value) + "' is not a number");
  }
  return n;
}

}  // namespace

std::string_view V2DatatypeName(DataType type) {
  switch (type) {
    case DataType::kFloat32: return "FP32";
    case DataType::kUInt8: return "UINT8";
    case DataType::kInt8: return "INT8";
    case DataType::kInt16: return "INT16";
    case DataType::kInt32: return "INT32";
    case DataType::kInt64: return "INT64";
    case DataType::kBool: return "BOOL";
  }
  return "?";
}

Result<DataType> ParseV2Datatype(std::string_view name) {
  for (DataType t : {DataType::kFloat32, DataType::kUInt8, DataType::kInt8, DataType::kInt16, DataType::kInt32,
                     DataType::kInt64, DataType::kBool}) {
    if (V2DatatypeName(t) == name) return t;
  }
  return InvalidArgument("unsupported v2 datatype '" + std::string(name.substr(0, 32)) + "'");
}

Result<EncodedInferRequest> EncodeV2InferRequest(const V2InferCall& call) {
  const bool binary = call.encoding == TensorEncoding::kBinary;
  if (call.classification > 0 && call.outputs.empty()) return InvalidArgument("classification needs named outputs");
  Json header = Json::object();
  if (!call.id.empty()) header["id"] = call.id;
  Json inputs = Json::array();
  std::string tail;
  for (const V2Tensor& t : call.inputs) {
    const std::string what = "input '" + t.name + "'";
    S3ML_ASSIGN_OR_RETURN(size_t size, ByteSize(t.datatype, t.shape, what));
    if (size != t.data.size()) {
      return InvalidArgument(what + ": " + std::to_string(t.data.size()) + " data bytes, shape and datatype need " +
                             std::to_string(size));
    }
    Json entry = {{"name", t.name}, {"datatype", t.datatype}, {"shape", t.shape}};
    if (binary) {
      entry["parameters"] = {{"binary_data_size", t.data.size()}};
      tail.append(reinterpret_cast<const char*>(t.data.data()), t.data.size());
    } else {
      S3ML_ASSIGN_OR_RETURN(DataType type, ParseV2Datatype(t.datatype));
      entry["data"] = ElementsToJson(t.data, type);
    }
    inputs.push_back(std::move(entry));
  }
  header["inputs"] = std::move(inputs);
  if (!call.outputs.empty()) {
    Json outputs = Json::array();
    for (const auto& name : call.outputs) {
      Json entry = {{"name", name}, {"parameters", Json::object()}};
      if (binary) entry["parameters"]["binary_data"] = true;
      if (call.classification > 0) entry["parameters"]["classification"] = call.classification;
      outputs.push_back(std::move(entry));
    }
    header["outputs"] = std::move(outputs);
  }
  if (binary) header["parameters"] = {{"binary_data_output", true}};
  EncodedInferRequest encoded;
  encoded.body = header.dump();
  if (binary) {
    encoded.json_header_length = encoded.body.size();
    encoded.body += tail;
    encoded.content_type = "application/octet-stream";
  } else {
    encoded.content_type = "application/json";
  }
  return encoded;
}

Result<V2InferResult> DecodeV2InferResponse(std::string_view body, std::optional<std::string_view> json_header_length) {
  size_t header_size = body.size();
  if (json_header_length) {
    S3ML_ASSIGN_OR_RETURN(header_size, ParseHeaderLength(*json_header_length));
    if (header_size > body.size()) {
      return InvalidArgument("Inference-Header-Content-Length " + std::to_string(header_size) + " exceeds the body (" +
                             std::to_string(body.size()) + " bytes)");
    }
  }
  Json header = Json::parse(body.substr(0, header_size), nullptr, /*allow_exceptions=*/false);
  if (!header.is_object()) return InvalidArgument("infer response: the JSON header is not an object");
  V2InferResult result;
  if (auto it = header.find("model_name"); it != header.end() && it->is_string()) result.model_name = it->get<std::string>();
  if (auto it = header.find("model_version"); it != header.end() && it->is_string()) result.model_version = it->get<std::string>();
  if (auto it = header.find("id"); it != header.end() && it->is_string()) result.id = it->get<std::string>();
  auto outputs = header.find("outputs");
  if (outputs == header.end() || !outputs->is_array()) return InvalidArgument("infer response: outputs missing or not a list");
  size_t offset = header_size;
  for (const Json& o : *outputs) {
    if (!o.is_object()) return InvalidArgument("infer response: an output is not an object");
    V2Tensor t;
    S3ML_ASSIGN_OR_RETURN(t.name, StringMember(o, "name", "infer response output"));
    const std::string what = "infer response output '" + t.name + "'";
    S3ML_ASSIGN_OR_RETURN(t.datatype, StringMember(o, "datatype", what));
    auto shape = o.find("shape");
    if (shape == o.end()) return InvalidArgument(what + ": shape missing");
    S3ML_ASSIGN_OR_RETURN(t.shape, ParseShape(*shape, what, /*allow_variable=*/false));
    std::optional<size_t> binary_size;
    if (auto p = o.find("parameters"); p != o.end() && p->is_object()) {
      if (auto b = p->find("binary_data_size"); b != p->end()) {
        if (!b->is_number_unsigned()) return InvalidArgument(what + ": binary_data_size is not a non-negative integer");
        binary_size = b->get<uint64_t>();
      }
    }
    if (binary_size && !json_header_length) return InvalidArgument(what + ": binary data without Inference-Header-Content-Length");
    if (t.datatype == "BYTES") {
      S3ML_ASSIGN_OR_RETURN(size_t count, ElementCount(t.shape, what));
      if (binary_size) {
        if (body.size() - offset < *binary_size) return InvalidArgument(what + ": binary data truncated");
        S3ML_ASSIGN_OR_RETURN(t.strings, SplitBytesElements(body.substr(offset, *binary_size), count, what));
        offset += *binary_size;
      } else {
        auto data = o.find("data");
        if (data == o.end()) return InvalidArgument(what + ": neither data nor binary_data_size");
        S3ML_ASSIGN_OR_RETURN(t.strings, JsonBytesElements(*data, count, what));
      }
      result.outputs.push_back(std::move(t));
      continue;
    }
    S3ML_ASSIGN_OR_RETURN(DataType type, ParseV2Datatype(t.datatype));
    S3ML_ASSIGN_OR_RETURN(size_t size, ByteSize(t.datatype, t.shape, what));
    if (binary_size) {
      if (*binary_size != size) {
        return InvalidArgument(what + ": binary_data_size " + std::to_string(*binary_size) + " but shape and datatype need " +
                               std::to_string(size));
      }
      if (body.size() - offset < size) return InvalidArgument(what + ": binary data truncated");
      t.data.assign(body.begin() + offset, body.begin() + offset + size);
      offset += size;
    } else {
      auto data = o.find("data");
      if (data == o.end()) return InvalidArgument(what + ": neither data nor binary_data_size");
      t.data.reserve(size);
      S3ML_RETURN_IF_ERROR(FlattenData(*data, type, t.data, size, what));
      if (t.data.size() != size) return InvalidArgument(what + ": data has fewer elements than the shape holds");
    }
    result.outputs.push_back(std::move(t));
  }
  if (offset != body.size()) {
    return InvalidArgument("infer response: " + std::to_string(body.size() - offset) + " bytes after the last binary output");
  }
  return result;
}

Result<V2ModelMetadata> ParseV2ModelMetadata(std::string_view json) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return InvalidArgument("model metadata is not a JSON object");
  V2ModelMetadata m;
  S3ML_ASSIGN_OR_RETURN(m.name, StringMember(j, "name", "model metadata"));
  if (auto it = j.find("platform"); it != j.end() && it->is_string()) m.platform = it->get<std::string>();
  if (auto it = j.find("versions"); it != j.end() && it->is_array()) {
    for (const Json& v : *it) {
      if (!v.is_string()) return InvalidArgument("model metadata: versions holds a non-string");
      m.versions.push_back(v.get<std::string>());
    }
  }
  auto tensors = [&](const char* member, std::vector<V2TensorMetadata>& out) -> Status {
    auto it = j.find(member);
    if (it == j.end() || !it->is_array()) return InvalidArgument(std::string("model metadata: ") + member + " missing or not a list");
    for (const Json& t : *it) {
      if (!t.is_object()) return InvalidArgument(std::string("model metadata: an entry of ") + member + " is not an object");
      V2TensorMetadata tm;
      S3ML_ASSIGN_OR_RETURN(tm.name, StringMember(t, "name", std::string("model metadata ") + member));
      const std::string what = std::string("model metadata ") + member + " '" + tm.name + "'";
      S3ML_ASSIGN_OR_RETURN(tm.datatype, StringMember(t, "datatype", what));
      auto shape = t.find("shape");
      if (shape == t.end()) return InvalidArgument(what + ": shape missing");
      S3ML_ASSIGN_OR_RETURN(tm.shape, ParseShape(*shape, what, /*allow_variable=*/true));
      if (auto p = t.find("parameters"); p != t.end() && p->is_object()) {
        if (auto q = p->find("quantization"); q != p->end() && q->is_object()) {
          auto scale = q->find("scale");
          auto zero = q->find("zero_point");
          if (scale == q->end() || !scale->is_number() || zero == q->end() || !zero->is_number_integer()) {
            return InvalidArgument(what + ": quantization needs a numeric scale and an integer zero_point");
          }
          float s = scale->get<float>();
          if (!std::isfinite(s) || s <= 0) return InvalidArgument(what + ": quantization scale must be positive");
          tm.quantization = std::make_pair(s, zero->get<int64_t>());
        }
      }
      out.push_back(std::move(tm));
    }
    return Status::Ok();
  };
  S3ML_RETURN_IF_ERROR(tensors("inputs", m.inputs));
  S3ML_RETURN_IF_ERROR(tensors("outputs", m.outputs));
  return m;
}

Result<engine::TensorInfo> ToTensorInfo(const V2TensorMetadata& metadata) {
  engine::TensorInfo info;
  info.name = metadata.name;
  S3ML_ASSIGN_OR_RETURN(info.type, ParseV2Datatype(metadata.datatype));
  for (int64_t d : metadata.shape) {
    if (d < -1 || d > std::numeric_limits<int32_t>::max()) {
      return InvalidArgument("tensor '" + metadata.name + "': bad dimension " + std::to_string(d));
    }
    info.shape.push_back(d == -1 ? 1 : static_cast<int32_t>(d));
  }
  if (metadata.quantization) {
    info.quantization.scales = {metadata.quantization->first};
    info.quantization.zero_points = {metadata.quantization->second};
  }
  return info;
}

}  // namespace s3ml::client
