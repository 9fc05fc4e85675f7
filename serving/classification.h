// The classification extension of KServe v2 as Triton defines it (listed in GET /v2 "extensions").
//
// An output asked for with parameters {"classification": N} is answered, instead of its tensor,
// as BYTES: for each batch row (the leading dimension, when the model batches; else the whole
// output is one row) its N highest values over all the row's elements in row-major order, compared
// as the output's datatype (highest first, equal values by lowest index, NaN last), each as
// "<value>:<index>[:<label>]", <index> the element's flat position in the row. Shape: [batch, n]
// when batching, else [n], n = min(N, elements per row). The value is printed as the datatype's
// number (a quantized output's raw integer: the model's quantization in the metadata turns it
// into a score); the label is line <index> of the model's labels file, when there is one.
#ifndef S3ML_SERVING_CLASSIFICATION_H_
#define S3ML_SERVING_CLASSIFICATION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "client/label_map.h"
#include "core/status.h"
#include "serving/tensor_payload.h"

namespace s3ml::serving {

struct Classification {
  std::vector<int64_t> shape;         // [batch, n] or [n]
  std::vector<std::string> elements;  // row-major
};

// REQUIRES: `count` >= 1; with `batched`, the output has a leading dimension. `labels` may be
// null. Errors only for a payload whose data does not match its shape (CheckPayloadSize's): a
// bug, not bad input.
Result<Classification> Classify(const TensorPayload& output, size_t count, bool batched,
                                const client::LabelMap* labels);

// BYTES elements in the binary tensor data extension: each a 4-byte little-endian length, then
// its bytes.
std::string EncodeBytesElements(const std::vector<std::string>& elements);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_CLASSIFICATION_H_
