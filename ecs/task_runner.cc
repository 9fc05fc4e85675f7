#include "ecs/task_runner.h"

namespace s3ml::ecs {

TaskRunner::TaskRunner(size_t max_queue) : max_queue_(max_queue) {
  thread_ = std::thread([this] { Run(); });
}

TaskRunner::~TaskRunner() { Stop(); }

bool TaskRunner::Post(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_ || queue_.size() >= max_queue_) return false;
  queue_.push_back(std::move(task));
  wake_.notify_one();
  return true;
}

void TaskRunner::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void TaskRunner::Run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace s3ml::ecs
