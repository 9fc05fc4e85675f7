// XnnpackSegment: one execution step of consecutive operators run as a single XNNPACK subgraph.
//
// Create() defines the subgraph from the validated Graph (TFLite layouts map directly onto
// XNNPACK's NHWC / OHWI / [1,H,W,C*M] layouts), creates a runtime on the given thread pool (this
// packs the weights; XNNPACK 2022-02 has no weights cache, so each segment instance owns its
// packed copy) and binds its external tensors to their fixed places in `arena`. Invoke() then
// only runs it. All XNNPACK memory comes from `allocator` (see xnn_memory.h).
// Fused activations and the implicit clamp of quantized outputs (the range representable by
// the output's quantization) are both passed to XNNPACK as the node's output range.
#ifndef S3ML_ENGINE_XNNPACK_SEGMENT_H_
#define S3ML_ENGINE_XNNPACK_SEGMENT_H_

#include <pthreadpool.h>
#include <xnnpack.h>

#include <deque>
#include <memory>
#include <vector>

#include "core/status.h"
#include "engine/allocator.h"
#include "engine/graph.h"
#include "engine/planner.h"

namespace s3ml::engine {

class XnnpackSegment {
 public:
  // REQUIRES: every operator of `step` satisfies RunsOnXnnpack; `graph` and `arena` outlive this.
  static Result<std::unique_ptr<XnnpackSegment>> Create(const Graph& graph, const ExecutionStep& step,
                                                        const MemoryPlan& plan, uint8_t* arena,
                                                        pthreadpool_t threadpool, Allocator& allocator);
  ~XnnpackSegment();
  XnnpackSegment(const XnnpackSegment&) = delete;
  XnnpackSegment& operator=(const XnnpackSegment&) = delete;

  Status Invoke();
  // The runtime itself, for the benchmark's raw-XNNPACK baseline.
  xnn_runtime_t runtime() const { return runtime_; }

 private:
  explicit XnnpackSegment(Allocator& allocator) : allocator_(allocator) {}
  Allocator& allocator_;
  xnn_runtime_t runtime_ = nullptr;
  // Per-channel scales handed to XNNPACK by pointer; kept for the runtime's lifetime.
  std::deque<std::vector<float>> scales_;
};

}  // namespace s3ml::engine

#endif  // S3ML_ENGINE_XNNPACK_SEGMENT_H_
