// The classification extension of KServe v2 as Triton defines it (listed in GET /v2 "extensions").
//
// An output asked for with parameters {"classification": N} is answered, instead of its tensor,
// as BYTES of the output's shape with the last (class) dimension replaced by min(N, classes):
// each row's N highest values, compared as the output's datatype (highest first, equal values by
// lowest index, NaN last), each as "<value>:<index>[:<label>]". The value is printed as the
// datatype's number (a quantized output's raw integer: the model's quantization in the metadata
// turns it into a score); the label is line <index> of the model's labels file, when there is one.
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
  std::vector<int64_t> shape;         // the output's, the last dim = the classes returned
  std::vector<std::string> elements;  // row-major
};

// Whether an output of `shape` can be classified: at least one dimension. kInvalidArgument
// naming `what` otherwise (a request error, checked before the inference runs).
Status CheckClassifiable(const std::vector<int64_t>& shape, const std::string& what);

// REQUIRES: `count` >= 1. `labels` may be null. Errors only for bugs, not bad input: a payload
// whose data does not match its shape (CheckPayloadSize's error), a scalar (kInternal: requests
// for one are refused by CheckClassifiable).
Result<Classification> Classify(const TensorPayload& output, size_t count, const client::LabelMap* labels);

// BYTES elements in the binary tensor data extension: each a 4-byte little-endian length, then
// its bytes.
std::string EncodeBytesElements(const std::vector<std::string>& elements);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_CLASSIFICATION_H_
