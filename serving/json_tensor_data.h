// Conversions between JSON arrays of numbers and TensorPayload bytes, shared by the KServe v2
// and TF-Serving v1 codecs.
//
// Reading is strict: integer datatypes take only JSON integers within the type's range, FP32
// takes finite numbers within float range (never strings such as "NaN"), BOOL takes only
// true/false. Nesting is limited to kMaxJsonTensorRank levels, so hostile input cannot drive
// recursion deep. Messages name the tensor (`what`) and the offending element's flat index.
#ifndef S3ML_SERVING_JSON_TENSOR_DATA_H_
#define S3ML_SERVING_JSON_TENSOR_DATA_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "serving/tensor_payload.h"

namespace s3ml::serving {

inline constexpr size_t kMaxJsonTensorRank = 16;

// The shape a nested JSON value spells: 3 -> [], [1,2] -> [2], [[1,2],[3,4]] -> [2,2].
// Errors when the nesting is ragged ([[1],[2,3]]), mixes arrays and scalars, or is too deep.
Result<std::vector<int64_t>> NestedJsonShape(const nlohmann::json& value, std::string_view what);

// Appends every scalar leaf of `value` (a scalar or arbitrarily nested array, row-major) to
// `out` as `type`, little-endian.
Status AppendJsonElements(const nlohmann::json& value, Datatype type, std::string_view what,
                          std::vector<uint8_t>* out);

// The elements of `data` (dense `type` elements) as a JSON array nested to `shape`
// ([] -> a bare scalar). Non-finite floats become null (JSON has no NaN).
// REQUIRES: data.size() == ElementCount(shape) * DatatypeSize(type).
nlohmann::json ElementsToNestedJson(std::span<const uint8_t> data, Datatype type,
                                    std::span<const int64_t> shape);
// The same elements as one flat array.
nlohmann::json ElementsToFlatJson(std::span<const uint8_t> data, Datatype type);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_JSON_TENSOR_DATA_H_
