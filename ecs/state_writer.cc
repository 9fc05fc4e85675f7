#include "ecs/state_writer.h"

#include <exception>
#include <vector>

#include "core/clock.h"
#include "core/log.h"

namespace s3ml::ecs {

StateWriter::StateWriter(EcsState state, std::optional<Manifest> manifest, Commit commit, OnCommit on_commit,
                         size_t max_queue, size_t max_batch)
    : state_(std::move(state)),
      manifest_(std::move(manifest)),
      commit_(std::move(commit)),
      on_commit_(std::move(on_commit)),
      max_queue_(max_queue),
      max_batch_(max_batch == 0 ? 1 : max_batch) {
  thread_ = std::thread([this] { Run(); });
}

StateWriter::~StateWriter() { Stop(); }

void StateWriter::Submit(Task task, Deliver deliver) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ && !failed_.load() && queue_.size() < max_queue_) {
      queue_.push_back(Item{std::move(task), std::move(deliver)});
      wake_.notify_one();
      return;
    }
  }
  if (failed_.load()) {
    deliver(net::HttpResponse::Error(503, "the ECS could not commit its state and stopped accepting changes"));
  } else {
    deliver(net::HttpResponse::Error(503, "the ECS is busy or shutting down; retry"));
  }
}

void StateWriter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void StateWriter::Run() {
  std::vector<Item> batch;
  std::vector<net::HttpResponse> answers;
  for (;;) {
    batch.clear();
    answers.clear();
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && batch.size() < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    bool changed = false;
    const uint64_t batch_start = MonotonicNanos();
    Context context{state_, manifest_};
    for (Item& item : batch) {
      if (failed_.load()) {
        answers.push_back(net::HttpResponse::Error(503, "the ECS could not commit its state"));
        continue;
      }
      bool task_changed = false;
      try {
        answers.push_back(item.task(context, &task_changed));
      } catch (const std::exception& e) {
        Log(LogLevel::kError, "ecs", std::string("state task threw: ") + e.what());
        answers.push_back(net::HttpResponse::Error(500, "internal error"));
      }
      changed = changed || task_changed;
    }
    const uint64_t tasks_done = MonotonicNanos();
    if (changed && !failed_.load()) {
      Status committed = commit_(state_);
      Log(LogLevel::kDebug, "ecs",
          "batch of " + std::to_string(batch.size()) + " tasks: run " + std::to_string((tasks_done - batch_start) / 1000) +
              " us, commit " + std::to_string((MonotonicNanos() - tasks_done) / 1000) + " us");
      if (committed.ok()) {
        commits_.fetch_add(1);
        if (on_commit_) on_commit_(state_, manifest_);
      } else {
        failed_.store(true);
        Log(LogLevel::kError, "ecs", "state commit failed, refusing further changes: " + committed.ToString());
        for (auto& answer : answers) answer = net::HttpResponse::Error(500, "the ECS could not commit its state");
      }
    }
    for (size_t i = 0; i < batch.size(); ++i) batch[i].deliver(std::move(answers[i]));
  }
}

}  // namespace s3ml::ecs
