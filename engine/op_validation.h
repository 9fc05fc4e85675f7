// Per-operator checks of a Graph under construction: input/output counts, element types,
// shapes (each output shape must be exactly what the operator computes, since the kernels write
// that many bytes), options and quantization. Called by ModelReader once tensors are validated.
#ifndef S3ML_ENGINE_OP_VALIDATION_H_
#define S3ML_ENGINE_OP_VALIDATION_H_

#include <cstddef>

#include "core/status.h"
#include "engine/graph.h"

namespace s3ml::engine {

// REQUIRES: every tensor index in `op` is -1 or within graph.tensors; tensors are validated.
// Errors: kInvalidArgument naming the operator (index and name) and what is inconsistent;
// kUnimplemented for valid TFLite the engine does not run (e.g. MEAN over the channel axis).
Status ValidateOperator(const Graph& graph, size_t op_index, const GraphOperator& op);

}  // namespace s3ml::engine

#endif  // S3ML_ENGINE_OP_VALIDATION_H_
