#include "serving/repository_poller.h"

#include "core/log.h"

namespace s3ml::serving {

RepositoryPoller::RepositoryPoller(ModelStore* store, std::chrono::milliseconds interval)
    : store_(store), interval_(interval), thread_([this] { Run(); }) {}

RepositoryPoller::~RepositoryPoller() { Stop(); }

void RepositoryPoller::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RepositoryPoller::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    Result<PollReport> report = store_->Poll();
    if (!report.ok()) Log(LogLevel::kWarning, "model-store", "repository poll failed: " + report.status().ToString());
    lock.lock();
  }
}

}  // namespace s3ml::serving
