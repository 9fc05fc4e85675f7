// A fast path for large inline tensors in JSON request bodies. nlohmann's DOM of a 150k-element
// "data" array dominated JSON requests (bench/serving, MobileNet v2: ~20 ms of server CPU per
// request over the engine's 11 ms). In process this path reads those 537 KB of UINT8 text in
// ~1 ms against the DOM's ~20 ms (bench/serving/json_tensor_scan_bench): the cut skips 8 bytes at
// a time up to the next bracket, integers of up to 7 digits are read 8 bytes at a time, and
// decimals of up to 15 digits are one exact division (FP32 text: ~2.7 ms against ~32 ms).
//
// CutV2InputData finds, by a structural scan, the "data" arrays of the objects in a KServe v2
// request's top-level "inputs" array and replaces each by `null`, so that nlohmann parses only
// the small rest; ScanJsonNumbers converts one such array's text straight to payload bytes.
//
// Both are conservative: they succeed only where the DOM path (json_body.h, json_tensor_data.h)
// would succeed, with identical results, and give up (nullopt / false) on anything else:
// malformed or ragged arrays, values out of the datatype's range, non-integers for integer types,
// BOOL, keys with escapes, duplicate "inputs" or "data" keys. The caller then runs the DOM path,
// which produces the error, so the messages stay the DOM path's.
#ifndef S3ML_SERVING_JSON_TENSOR_SCAN_H_
#define S3ML_SERVING_JSON_TENSOR_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "serving/tensor_payload.h"

namespace s3ml::serving {

struct CutJson {
  // The text with every cut array replaced by ` null `.
  std::string rest;
  // (position in "inputs", text of that input's "data" array) in text order. Views into the
  // original text.
  std::vector<std::pair<size_t, std::string_view>> arrays;
};

// nullopt when there is nothing to cut or the scan gives up. The cut arrays are not validated
// here (ScanJsonNumbers does); the rest is nlohmann's to parse: if the rest is valid JSON and
// every cut array is a valid JSON array, the original text was valid JSON with the arrays in
// place of the nulls.
std::optional<CutJson> CutV2InputData(std::string_view text);

// Parses `array` (one JSON array, nested row-major, nothing before or after it) into `nesting`
// (as NestedJsonShape would) and appends its elements as dense little-endian `type` elements to
// `out` (as AppendJsonElements would). False, with `out` in an unspecified state, for anything
// the fast path does not accept.
bool ScanJsonNumbers(std::string_view array, Datatype type, std::vector<int64_t>* nesting,
                     std::vector<uint8_t>* out);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_JSON_TENSOR_SCAN_H_
