#include "serving/tensor_payload.h"

#include "core/checked_math.h"

namespace s3ml::serving {

std::string_view DatatypeName(Datatype type) {
  switch (type) {
    case Datatype::kBool: return "BOOL";
    case Datatype::kUInt8: return "UINT8";
    case Datatype::kInt8: return "INT8";
    case Datatype::kInt16: return "INT16";
    case Datatype::kInt32: return "INT32";
    case Datatype::kInt64: return "INT64";
    case Datatype::kFp32: return "FP32";
  }
  return "UNKNOWN";
}

Result<Datatype> ParseDatatype(std::string_view name) {
  static constexpr Datatype kAll[] = {Datatype::kBool,  Datatype::kUInt8, Datatype::kInt8,
                                      Datatype::kInt16, Datatype::kInt32, Datatype::kInt64,
                                      Datatype::kFp32};
  for (Datatype type : kAll) {
    if (DatatypeName(type) == name) return type;
  }
  // The rest of the protocol's list: valid requests that this server cannot run.
  static constexpr std::string_view kKnownUnsupported[] = {"UINT16", "UINT32", "UINT64", "FP16",
                                                           "FP64",   "BF16",   "BYTES"};
  for (std::string_view known : kKnownUnsupported) {
    if (known == name) return Unimplemented("datatype " + std::string(name) + " is not supported");
  }
  return InvalidArgument("unknown datatype \"" + std::string(name.substr(0, 32)) + "\"");
}

size_t DatatypeSize(Datatype type) {
  switch (type) {
    case Datatype::kBool:
    case Datatype::kUInt8:
    case Datatype::kInt8: return 1;
    case Datatype::kInt16: return 2;
    case Datatype::kInt32:
    case Datatype::kFp32: return 4;
    case Datatype::kInt64: return 8;
  }
  return 0;
}

Datatype FromEngineType(engine::DataType type) {
  switch (type) {
    case engine::DataType::kFloat32: return Datatype::kFp32;
    case engine::DataType::kUInt8: return Datatype::kUInt8;
    case engine::DataType::kInt8: return Datatype::kInt8;
    case engine::DataType::kInt16: return Datatype::kInt16;
    case engine::DataType::kInt32: return Datatype::kInt32;
    case engine::DataType::kInt64: return Datatype::kInt64;
    case engine::DataType::kBool: return Datatype::kBool;
  }
  return Datatype::kFp32;
}

engine::DataType ToEngineType(Datatype type) {
  switch (type) {
    case Datatype::kFp32: return engine::DataType::kFloat32;
    case Datatype::kUInt8: return engine::DataType::kUInt8;
    case Datatype::kInt8: return engine::DataType::kInt8;
    case Datatype::kInt16: return engine::DataType::kInt16;
    case Datatype::kInt32: return engine::DataType::kInt32;
    case Datatype::kInt64: return engine::DataType::kInt64;
    case Datatype::kBool: return engine::DataType::kBool;
  }
  return engine::DataType::kFloat32;
}

Result<size_t> ElementCount(const std::vector<int64_t>& shape, std::string_view what) {
  size_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0) {
      return InvalidArgument(std::string(what) + ": shape " + ShapeToString(shape) +
                             " has a negative dimension");
    }
    if (!CheckedMul(count, static_cast<size_t>(dim), &count)) {
      return InvalidArgument(std::string(what) + ": shape " + ShapeToString(shape) +
                             " has too many elements");
    }
  }
  return count;
}

std::string ShapeToString(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ",";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

}  // namespace s3ml::serving
