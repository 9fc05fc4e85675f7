// ExecutionPool: engine Executions of one model, reused across requests.
//
// An engine::Execution is one request's context (its arena and packed weights) and must be used
// by one thread at a time; creating one packs the weights again, so they are kept and handed
// out one per running request. Acquire() returns a free one or creates another; the Lease gives
// it back when destroyed. Thread-safe.
#ifndef S3ML_SERVING_EXECUTION_POOL_H_
#define S3ML_SERVING_EXECUTION_POOL_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "core/status.h"
#include "engine/model.h"

namespace s3ml::serving {

class ExecutionPool {
 public:
  class Lease {
   public:
    Lease(ExecutionPool* pool, std::unique_ptr<engine::Execution> execution)
        : pool_(pool), execution_(std::move(execution)) {}
    ~Lease();
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    engine::Execution& operator*() const { return *execution_; }
    engine::Execution* operator->() const { return execution_.get(); }

   private:
    ExecutionPool* pool_;
    std::unique_ptr<engine::Execution> execution_;
  };

  explicit ExecutionPool(std::shared_ptr<const engine::Model> model) : model_(std::move(model)) {}

  // Creates `count` executions up front, so load failures show at load time and the first
  // requests do not pay for packing weights.
  Status Prewarm(size_t count);
  Result<Lease> Acquire();
  size_t created() const;

 private:
  void Release(std::unique_ptr<engine::Execution> execution);

  const std::shared_ptr<const engine::Model> model_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<engine::Execution>> free_;
  size_t created_ = 0;
};

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_EXECUTION_POOL_H_
