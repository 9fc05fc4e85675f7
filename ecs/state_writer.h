// StateWriter: the single writer of the ECS state. Every change (manifest, model keys, audit
// entries of provisionings and refusals) runs as a task on one thread, in submission order, and
// its answer is released only after the state that includes it has been committed to disk.
//
// Group commit: the thread takes every task waiting at that moment (up to max_batch), runs them
// one after another, commits once if any of them changed the state, then delivers all their
// answers. Under load many provisionings share one commit: with StateStore that is one audit
// journal append and one fdatasync for all of them (state.s3ml is rewritten only when the
// configuration changed); alone, a task still commits at once.
//
// A failed commit leaves memory ahead of the disk. The writer then fails closed: the batch's
// answers become 500 (no key released without its audit entry on disk), every later task is
// answered 503, and failed() turns true (readiness probe); a restart reloads the last commit.
//
// on_commit is called on the writer thread after each successful commit, to publish read-only
// views (manifest, CA) that other threads serve without taking the writer's turn.
#ifndef S3ML_ECS_STATE_WRITER_H_
#define S3ML_ECS_STATE_WRITER_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "core/status.h"
#include "ecs/ecs_state.h"
#include "ecs/manifest.h"
#include "net/http_response.h"

namespace s3ml::ecs {

class StateWriter {
 public:
  // What a task sees: the live state and its parsed manifest (kept in step by the tasks).
  struct Context {
    EcsState& state;
    std::optional<Manifest>& manifest;
  };
  // Sets *changed when it modified the state. REQUIRES: validates before it mutates.
  using Task = std::function<net::HttpResponse(Context& context, bool* changed)>;
  using Deliver = std::function<void(net::HttpResponse)>;
  using Commit = std::function<Status(EcsState& state)>;
  using OnCommit = std::function<void(const EcsState& state, const std::optional<Manifest>& manifest)>;

  // REQUIRES: manifest is the parse of state.manifest.
  StateWriter(EcsState state, std::optional<Manifest> manifest, Commit commit, OnCommit on_commit,
              size_t max_queue = 4096, size_t max_batch = 256);
  ~StateWriter();  // Stop()
  StateWriter(const StateWriter&) = delete;
  StateWriter& operator=(const StateWriter&) = delete;

  // Queues a task; `deliver` gets its answer (503 when the queue is full, stopped or failed).
  void Submit(Task task, Deliver deliver);
  // Runs the queued tasks, then stops the thread. Idempotent.
  void Stop();

  bool failed() const { return failed_.load(); }
  uint64_t commits() const { return commits_.load(); }

 private:
  struct Item {
    Task task;
    Deliver deliver;
  };
  void Run();

  EcsState state_;
  std::optional<Manifest> manifest_;
  Commit commit_;
  OnCommit on_commit_;
  const size_t max_queue_;
  const size_t max_batch_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::atomic<bool> failed_{false};
  std::atomic<uint64_t> commits_{0};
  std::thread thread_;
};

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_STATE_WRITER_H_
