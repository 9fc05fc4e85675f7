#include "serving/execution_pool.h"

#include <utility>

namespace s3ml::serving {

ExecutionPool::Lease::~Lease() {
  if (execution_ != nullptr) pool_->Release(std::move(execution_));
}

Status ExecutionPool::Prewarm(size_t count) {
  std::vector<Lease> leases;
  leases.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    S3ML_ASSIGN_OR_RETURN(Lease lease, Acquire());
    leases.push_back(std::move(lease));
  }
  return Status::Ok();
}

Result<ExecutionPool::Lease> ExecutionPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      std::unique_ptr<engine::Execution> execution = std::move(free_.back());
      free_.pop_back();
      return Lease(this, std::move(execution));
    }
  }
  // Created outside the lock: packing weights takes a while and other leases may come back.
  S3ML_ASSIGN_OR_RETURN(std::unique_ptr<engine::Execution> execution, model_->CreateExecution());
  std::lock_guard<std::mutex> lock(mu_);
  ++created_;
  return Lease(this, std::move(execution));
}

size_t ExecutionPool::created() const {
  std::lock_guard<std::mutex> lock(mu_);
  return created_;
}

void ExecutionPool::Release(std::unique_ptr<engine::Execution> execution) {
  std::lock_guard<std::mutex> lock(mu_);
  free_.push_back(std::move(execution));
}

}  // namespace s3ml::serving
