// The implementation behind Model and Execution (model.h), exposed inside the engine for tests
// and for the benchmark's raw-XNNPACK baseline. Not part of the public surface.
//
// Memory: the Model owns the validated Graph (one copy of the constants: XNNPACK packs weights
// from it and may keep pointing at static tensors, and later Executions pack from it again).
// Each Execution owns its arena (the static plan) and its XNNPACK runtimes (packed weights and
// XNNPACK's internal workspace), all from the Model's Allocator through an accounting wrapper.
// Threads: the Model owns one pthreadpool (LoadOptions::threads > 1) shared by every Execution's
// runtimes; pthreadpool serialises concurrent parallel regions, so concurrent Executions are safe.
#ifndef S3ML_ENGINE_MODEL_IMPL_H_
#define S3ML_ENGINE_MODEL_IMPL_H_

#include <pthreadpool.h>
#include <xnnpack.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/model.h"
#include "engine/planner.h"
#include "engine/xnnpack_segment.h"

namespace s3ml::engine {

// Forwards to another Allocator and counts the bytes currently allocated through it.
class AccountingAllocator final : public Allocator {
 public:
  explicit AccountingAllocator(Allocator& target) : target_(target) {}
  void* Allocate(size_t size, size_t alignment) override;
  void Free(void* ptr) override;
  size_t live_bytes() const { return live_.load(); }

 private:
  Allocator& target_;
  std::mutex mu_;
  std::vector<std::pair<void*, size_t>> blocks_;  // few, large blocks: a vector is enough
  std::atomic<size_t> live_{0};
};

class ModelImpl;

class ExecutionImpl final : public Execution {
 public:
  // `model` must outlive the execution; `keep_alive` (may be null) is held to guarantee that.
  static Result<std::unique_ptr<ExecutionImpl>> Create(const ModelImpl* model,
                                                       std::shared_ptr<const ModelImpl> keep_alive);
  void set_keep_alive(std::shared_ptr<const ModelImpl> m) { keep_alive_ = std::move(m); }
  ~ExecutionImpl() override;

  std::span<uint8_t> input(size_t index) override;
  std::span<const uint8_t> output(size_t index) const override;
  Status Invoke() override;

  // XNNPACK bytes held by this execution's runtimes (packed weights, operators, workspace).
  size_t xnnpack_bytes() const { return xnnpack_bytes_; }
  // The runtimes of the XNNPACK steps, in order (for the raw-XNNPACK benchmark baseline).
  std::vector<xnn_runtime_t> xnnpack_runtimes() const;

 private:
  explicit ExecutionImpl(const ModelImpl* model);
  std::shared_ptr<const ModelImpl> keep_alive_;
  const ModelImpl* model_;
  std::unique_ptr<AccountingAllocator> xnn_memory_;  // outlives segments_ (declared first)
  AlignedBuffer arena_;
  std::vector<std::unique_ptr<XnnpackSegment>> segments_;  // per step; null for fallback steps
  size_t xnnpack_bytes_ = 0;
};

class ModelImpl final : public Model, public std::enable_shared_from_this<ModelImpl> {
 public:
  static Result<std::shared_ptr<ModelImpl>> Create(std::span<const uint8_t> tflite, const LoadOptions& options);
  ~ModelImpl() override;

  const std::vector<TensorInfo>& inputs() const override { return inputs_; }
  const std::vector<TensorInfo>& outputs() const override { return outputs_; }
  size_t arena_bytes() const override { return plan_.arena_bytes; }
  size_t packed_weights_bytes() const override { return packed_weights_bytes_; }
  size_t operator_count() const override { return graph_.operators.size(); }
  size_t xnnpack_operator_count() const override;
  Result<std::unique_ptr<Execution>> CreateExecution() const override;

  // "CONV_2D x36 (xnnpack), SOFTMAX x1 (fallback), ..." in order of first appearance.
  std::string DescribeOperators() const;

  const Graph& graph() const { return graph_; }
  const MemoryPlan& plan() const { return plan_; }
  Allocator& allocator() const { return *allocator_; }
  pthreadpool_t threadpool() const { return threadpool_; }
  size_t constant_bytes() const { return graph_.constants.size(); }

 private:
  ModelImpl() = default;
  Allocator* allocator_ = nullptr;
  Graph graph_;
  MemoryPlan plan_;
  std::vector<TensorInfo> inputs_, outputs_;
  pthreadpool_t threadpool_ = nullptr;
  size_t packed_weights_bytes_ = 0;
  // The execution built during Load (to prove XNNPACK accepts the model and to measure it) is
  // handed to the first CreateExecution call instead of being built twice.
  mutable std::mutex spare_mu_;
  mutable std::unique_ptr<ExecutionImpl> spare_;
};

}  // namespace s3ml::engine

#endif  // S3ML_ENGINE_MODEL_IMPL_H_
