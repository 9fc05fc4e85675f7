// RepositoryPoller: calls ModelStore::Poll() every `interval` on its own thread until stopped,
// so new versions appear (and removed ones go) without a restart. Tests drive ModelStore::Poll()
// directly instead. Stop() wakes the thread at once; the destructor stops.
#ifndef S3ML_SERVING_REPOSITORY_POLLER_H_
#define S3ML_SERVING_REPOSITORY_POLLER_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "serving/model_store.h"

namespace s3ml::serving {

class RepositoryPoller {
 public:
  // `store` must outlive the poller. The first poll runs after one interval.
  RepositoryPoller(ModelStore* store, std::chrono::milliseconds interval);
  ~RepositoryPoller();
  RepositoryPoller(const RepositoryPoller&) = delete;
  RepositoryPoller& operator=(const RepositoryPoller&) = delete;

  void Stop();

 private:
  void Run();

  ModelStore* const store_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_REPOSITORY_POLLER_H_
