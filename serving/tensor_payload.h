// TensorPayload: one tensor of an inference request or response as the REST APIs carry it.
//
// The datatype uses the Open Inference Protocol v2 names ("BOOL", "UINT8", "INT8", "INT16",
// "INT32", "INT64", "FP32"): the subset our engine runs. `data` holds the elements densely in
// row-major order, little-endian, DatatypeSize(datatype) bytes each (BOOL: one byte, 0 or 1).
// A payload is only a container; checking it against a model is TensorValidator's job.
#ifndef S3ML_SERVING_TENSOR_PAYLOAD_H_
#define S3ML_SERVING_TENSOR_PAYLOAD_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "engine/tensor_info.h"

namespace s3ml::serving {

enum class Datatype { kBool, kUInt8, kInt8, kInt16, kInt32, kInt64, kFp32 };

// "FP32", "UINT8", ... as the v2 protocol spells them.
std::string_view DatatypeName(Datatype type);
// Parses a v2 datatype name (exact, upper case). Names the protocol knows but we do not run
// (FP16, BYTES, ...) are kUnimplemented; anything else is kInvalidArgument.
Result<Datatype> ParseDatatype(std::string_view name);
size_t DatatypeSize(Datatype type);

Datatype FromEngineType(engine::DataType type);
engine::DataType ToEngineType(Datatype type);

// Product of dims, or an error when a dim is negative or the product overflows size_t.
// `what` names the tensor for the message. An empty shape (a scalar) has one element.
Result<size_t> ElementCount(const std::vector<int64_t>& shape, std::string_view what);

// "[1,224,224,3]", for messages.
std::string ShapeToString(const std::vector<int64_t>& shape);

struct TensorPayload {
  std::string name;
  Datatype datatype = Datatype::kFp32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  bool operator==(const TensorPayload&) const = default;
};

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_TENSOR_PAYLOAD_H_
