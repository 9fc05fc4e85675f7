#include "serving/json_tensor_data.h"

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

namespace s3ml::serving {
namespace {

static_assert(std::endian::native == std::endian::little,
              "payload bytes are little-endian and copied as host integers");

using nlohmann::json;

std::string ElementContext(std::string_view what, size_t index) {
  return std::string(what) + ": element " + std::to_string(index);
}

// A short rendering of a JSON value for messages; request content is echoed only to the
// requester, and never more than a few characters of it.
std::string Describe(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 24) text = text.substr(0, 24) + "...";
  return text;
}

template <typename T>
void AppendRaw(T value, std::vector<uint8_t>* out) {
  uint8_t bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out->insert(out->end(), bytes, bytes + sizeof(T));
}

template <typename T>
T LoadRaw(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

// Reads a JSON integer into [min, max] or explains why not.
Status ReadInteger(const json& value, int64_t min, int64_t max, Datatype type, std::string_view what,
                   size_t index, int64_t* out) {
  if (value.is_number_unsigned()) {
    uint64_t u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(max)) {
      return InvalidArgument(ElementContext(what, index) + ": " + std::to_string(u) +
                             " is out of range for " + std::string(DatatypeName(type)));
    }
    *out = static_cast<int64_t>(u);
    return Status::Ok();
  }
  if (value.is_number_integer()) {
    int64_t i = value.get<int64_t>();
    if (i < min || i > max) {
      return InvalidArgument(ElementContext(what, index) + ": " + std::to_string(i) +
                             " is out of range for " + std::string(DatatypeName(type)));
    }
    *out = i;
    return Status::Ok();
  }
  return InvalidArgument(ElementContext(what, index) + ": " + Describe(value) +
                         " is not an integer (datatype " + std::string(DatatypeName(type)) + ")");
}

Status AppendScalar(const json& value, Datatype type, std::string_view what,
                    std::vector<uint8_t>* out) {
  const size_t index = out->size() / DatatypeSize(type);
  int64_t i = 0;
  switch (type) {
    case Datatype::kBool:
      if (!value.is_boolean()) {
        return InvalidArgument(ElementContext(what, index) + ": " + Describe(value) +
                               " is not true or false (datatype BOOL)");
      }
      out->push_back(value.get<bool>() ? 1 : 0);
      return Status::Ok();
    case Datatype::kUInt8:
      S3ML_RETURN_IF_ERROR(ReadInteger(value, 0, UINT8_MAX, type, what, index, &i));
      AppendRaw(static_cast<uint8_t>(i), out);
      return Status::Ok();
    case Datatype::kInt8:
      S3ML_RETURN_IF_ERROR(ReadInteger(value, INT8_MIN, INT8_MAX, type, what, index, &i));
      AppendRaw(static_cast<int8_t>(i), out);
      return Status::Ok();
    case Datatype::kInt16:
      S3ML_RETURN_IF_ERROR(ReadInteger(value, INT16_MIN, INT16_MAX, type, what, index, &i));
      AppendRaw(static_cast<int16_t>(i), out);
      return Status::Ok();
    case Datatype::kInt32:
      S3ML_RETURN_IF_ERROR(ReadInteger(value, INT32_MIN, INT32_MAX, type, what, index, &i));
      AppendRaw(static_cast<int32_t>(i), out);
      return Status::Ok();
    case Datatype::kInt64:
      S3ML_RETURN_IF_ERROR(ReadInteger(value, INT64_MIN, INT64_MAX, type, what, index, &i));
      AppendRaw(i, out);
      return Status::Ok();
    case Datatype::kFp32: {
      if (!value.is_number()) {
        return InvalidArgument(ElementContext(what, index) + ": " + Describe(value) +
                               " is not a number (datatype FP32)");
      }
      double d = value.get<double>();
      if (!std::isfinite(d) || std::fabs(d) > static_cast<double>(FLT_MAX)) {
        return InvalidArgument(ElementContext(what, index) + ": " + Describe(value) +
                               " is outside the range of FP32");
      }
      AppendRaw(static_cast<float>(d), out);
      return Status::Ok();
    }
  }
  return Internal("unhandled datatype");
}

Status AppendRecursive(const json& value, Datatype type, std::string_view what, size_t depth,
                       std::vector<uint8_t>* out) {
  if (!value.is_array()) return AppendScalar(value, type, what, out);
  if (depth >= kMaxJsonTensorRank) {
    return InvalidArgument(std::string(what) + ": data is nested deeper than " +
                           std::to_string(kMaxJsonTensorRank) + " levels");
  }
  for (const json& element : value) {
    S3ML_RETURN_IF_ERROR(AppendRecursive(element, type, what, depth + 1, out));
  }
  return Status::Ok();
}

Status CheckNesting(const json& value, std::span<const int64_t> shape, size_t depth,
                    std::string_view what) {
  if (shape.empty()) {
    if (value.is_array()) {
      return InvalidArgument(std::string(what) + ": data is nested unevenly (an array where a " +
                             "number was expected)");
    }
    return Status::Ok();
  }
  if (!value.is_array() || static_cast<int64_t>(value.size()) != shape[0]) {
    return InvalidArgument(std::string(what) + ": data is nested unevenly (expected an array of " +
                           std::to_string(shape[0]) + " at depth " +
                           std::to_string(depth) + ")");
  }
  for (const json& element : value) {
    S3ML_RETURN_IF_ERROR(CheckNesting(element, shape.subspan(1), depth + 1, what));
  }
  return Status::Ok();
}

json ScalarToJson(const uint8_t* p, Datatype type) {
  switch (type) {
    case Datatype::kBool: return json(*p != 0);
    case Datatype::kUInt8: return json(*p);
    case Datatype::kInt8: return json(LoadRaw<int8_t>(p));
    case Datatype::kInt16: return json(LoadRaw<int16_t>(p));
    case Datatype::kInt32: return json(LoadRaw<int32_t>(p));
    case Datatype::kInt64: return json(LoadRaw<int64_t>(p));
    case Datatype::kFp32: {
      float f = LoadRaw<float>(p);
      if (!std::isfinite(f)) return json(nullptr);
      return json(f);
    }
  }
  return json(nullptr);
}

json NestedRecursive(const uint8_t** p, Datatype type, std::span<const int64_t> shape) {
  if (shape.empty()) {
    json scalar = ScalarToJson(*p, type);
    *p += DatatypeSize(type);
    return scalar;
  }
  json array = json::array();
  for (int64_t i = 0; i < shape[0]; ++i) array.push_back(NestedRecursive(p, type, shape.subspan(1)));
  return array;
}

}  // namespace

Result<std::vector<int64_t>> NestedJsonShape(const json& value, std::string_view what) {
  std::vector<int64_t> shape;
  const json* cursor = &value;
  while (cursor->is_array()) {
    if (shape.size() >= kMaxJsonTensorRank) {
      return InvalidArgument(std::string(what) + ": data is nested deeper than " +
                             std::to_string(kMaxJsonTensorRank) + " levels");
    }
    shape.push_back(static_cast<int64_t>(cursor->size()));
    if (cursor->empty()) break;
    cursor = &(*cursor)[0];
  }
  // The first path fixed the candidate shape; every other path must agree with it.
  S3ML_RETURN_IF_ERROR(CheckNesting(value, shape, 0, what));
  return shape;
}

Status AppendJsonElements(const json& value, Datatype type, std::string_view what,
                          std::vector<uint8_t>* out) {
  return AppendRecursive(value, type, what, 0, out);
}

json ElementsToNestedJson(std::span<const uint8_t> data, Datatype type,
                          std::span<const int64_t> shape) {
  const uint8_t* p = data.data();
  return NestedRecursive(&p, type, shape);
}

json ElementsToFlatJson(std::span<const uint8_t> data, Datatype type) {
  json array = json::array();
  const size_t size = DatatypeSize(type);
  for (size_t offset = 0; offset + size <= data.size(); offset += size) {
    array.push_back(ScalarToJson(data.data() + offset, type));
  }
  return array;
}

}  // namespace s3ml::serving
