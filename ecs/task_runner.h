// TaskRunner: one background thread with a bounded queue, for the ECS's blocking work that must
// not run on the HTTP IO threads (quotes from the platform take an IPC round trip to the
// quoting enclave). Post() returns false when the queue is full or the runner stopped, so that
// callers can answer 503 instead of queueing without bound.
#ifndef S3ML_ECS_TASK_RUNNER_H_
#define S3ML_ECS_TASK_RUNNER_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace s3ml::ecs {

class TaskRunner {
 public:
  explicit TaskRunner(size_t max_queue = 256);
  ~TaskRunner();  // Stop()
  TaskRunner(const TaskRunner&) = delete;
  TaskRunner& operator=(const TaskRunner&) = delete;

  bool Post(std::function<void()> task);
  // Runs what is queued, then joins the thread. Idempotent.
  void Stop();

 private:
  void Run();
  const size_t max_queue_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_TASK_RUNNER_H_
