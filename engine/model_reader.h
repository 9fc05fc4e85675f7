// ModelReader: untrusted .tflite bytes -> a validated Graph.
//
// The flatbuffer is checked by flatbuffers::Verifier first (every offset and vector inside the
// buffer), then every index, buffer length, shape and quantization parameter is checked before
// use, and every operator is checked against the operator registry (all unsupported operators are
// listed in one kUnimplemented error) and its own shape rules (op_validation.h). Constant data is
// copied into one aligned block from the given Allocator, so the Graph never refers to `tflite`.
// Hybrid (dynamic-range) layers with int8 weights and float activations get their weights
// dequantized to float32 here, and run as float layers.
#ifndef S3ML_ENGINE_MODEL_READER_H_
#define S3ML_ENGINE_MODEL_READER_H_

#include <cstdint>
#include <span>

#include "core/status.h"
#include "engine/allocator.h"
#include "engine/graph.h"

namespace s3ml::engine {

// Limits on untrusted sizes (generous for the models an enclave serves).
inline constexpr size_t kMaxTensorRank = 8;
inline constexpr size_t kMaxTensorBytes = size_t{1} << 30;

// Errors: kInvalidArgument naming the malformed field and value; kUnimplemented for valid TFLite
// features the engine does not support (listing every unsupported operator by name).
Result<Graph> ReadModel(std::span<const uint8_t> tflite, Allocator& allocator);

}  // namespace s3ml::engine

#endif  // S3ML_ENGINE_MODEL_READER_H_
