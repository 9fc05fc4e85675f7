// Planner: splits a validated Graph into execution steps and makes the static memory plan.
//
// A step is either a run of consecutive operators that XNNPACK executes as one subgraph (a
// segment) or a single operator on a fallback kernel. Tensors that cross a step boundary, feed or
// leave a fallback kernel, or are model inputs/outputs live in the execution's arena at offsets
// fixed here (greedy by size over lifetimes, so tensors whose lifetimes do not overlap share
// bytes). Tensors internal to a segment belong to XNNPACK's own workspace.
#ifndef S3ML_ENGINE_PLANNER_H_
#define S3ML_ENGINE_PLANNER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "engine/graph.h"

namespace s3ml::engine {

struct ExecutionStep {
  bool xnnpack = false;
  std::vector<size_t> operators;  // indices into Graph::operators, in order
};

struct MemoryPlan {
  std::vector<ExecutionStep> steps;
  std::vector<int64_t> arena_offset;  // per tensor: byte offset in the arena, or -1
  size_t arena_bytes = 0;
};

// Bytes XNNPACK may read past the end of a tensor (XNN_EXTRA_BYTES in its headers).
inline constexpr size_t kTensorTailBytes = 16;

// Ceiling on the bytes of all run-time tensors of a model together (an upper bound on one
// execution's arena plus XNNPACK's workspace), so that an untrusted model cannot make every
// execution allocate gigabytes. Far above what the served models need (MobileNet v2: ~10 MB).
inline constexpr size_t kMaxActivationBytes = size_t{512} << 20;

// Errors: kResourceExhausted when the model's activations exceed kMaxActivationBytes.
Result<MemoryPlan> PlanExecution(const Graph& graph);

}  // namespace s3ml::engine

#endif  // S3ML_ENGINE_PLANNER_H_
