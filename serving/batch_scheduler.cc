#include "serving/batch_scheduler.h"

#include <string>
#include <utility>

#include "core/thread_name.h"

namespace s3ml::serving {

using Clock = std::chrono::steady_clock;

Status ValidateBatchingOptions(const BatchingOptions& options) {
  if (options.max_batch_size < 1) return InvalidArgument("batching max_batch_size must be at least 1");
  if (options.max_queue_size < 1) return InvalidArgument("batching max_queue_size must be at least 1");
  if (options.worker_threads < 1) return InvalidArgument("batching worker_threads must be at least 1");
  if (options.max_queue_delay.count() < 0) {
    return InvalidArgument("batching max_queue_delay must not be negative");
  }
  return Status::Ok();
}

Result<std::unique_ptr<BatchScheduler>> BatchScheduler::Create(std::string name,
                                                               const BatchingOptions& options,
                                                               BatchFunction batch_function) {
  S3ML_RETURN_IF_ERROR(ValidateBatchingOptions(options));
  if (!batch_function) return InvalidArgument("batch scheduler " + name + " has no batch function");
  return std::unique_ptr<BatchScheduler>(
      new BatchScheduler(std::move(name), options, std::move(batch_function)));
}

BatchScheduler::BatchScheduler(std::string name, const BatchingOptions& options,
                               BatchFunction batch_function)
    : name_(std::move(name)), options_(options), batch_function_(std::move(batch_function)) {
  workers_.reserve(options_.worker_threads);
  for (size_t i = 0; i < options_.worker_threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

BatchScheduler::~BatchScheduler() { Stop(); }

Status BatchScheduler::Submit(InferenceRequest request) {
  std::vector<Queued> run_here;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Unavailable("model " + name_ + " is shutting down");
    if (request.batch_rows < 1 || request.batch_rows > options_.max_batch_size) {
      return InvalidArgument("a request of " + std::to_string(request.batch_rows) +
                             " rows does not fit model " + name_ + "'s batches of at most " +
                             std::to_string(options_.max_batch_size));
    }
    const bool due_at_once =
        request.batch_rows == options_.max_batch_size || options_.max_queue_delay.count() == 0;
    if (due_at_once && queue_.empty() && submitters_running_ < options_.submitter_runs &&
        running_batches_ < options_.worker_threads) {
      ++submitters_running_;
      ++running_batches_;
      ++in_flight_;
      run_here.push_back({std::move(request), Clock::now()});
    } else if (queue_.size() >= options_.max_queue_size) {
      return ResourceExhausted("the queue of model " + name_ + " is full (" +
                               std::to_string(options_.max_queue_size) + " requests waiting)");
    } else {
      queued_rows_ += request.batch_rows;
      queue_.push_back({std::move(request), Clock::now()});
    }
  }
  if (!run_here.empty()) {
    RunBatch(std::move(run_here), /*on_submitter=*/true);
    return Status::Ok();
  }
  // One waiter is enough: an idle worker takes the request, or one waiting for company sees the
  // batch fill; every waiter re-checks the queue under the lock. Waking all of them cost each
  // request a futile wake-up and context switch per idle worker.
  cv_.notify_one();
  return Status::Ok();
}

void BatchScheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  // Only one caller gets the threads to join; a second Stop() waits on nothing.
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (std::thread& worker : workers) worker.join();
  // Requests that submitters are running finish before Stop() returns.
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return running_batches_ == 0; });
}

size_t BatchScheduler::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

size_t BatchScheduler::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

void BatchScheduler::WorkerLoop() {
  SetCurrentThreadName("infer-worker");
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    std::vector<Queued> batch = TakeBatch(lock);
    if (batch.empty()) return;
    lock.unlock();
    RunBatch(std::move(batch), /*on_submitter=*/false);
    lock.lock();
  }
}

std::vector<BatchScheduler::Queued> BatchScheduler::TakeBatch(std::unique_lock<std::mutex>& lock) {
  while (true) {
    cv_.wait(lock, [this] { return BatchReady() || (stopping_ && queue_.empty()); });
    if (queue_.empty()) return {};  // stopping and drained
    // The batch is due when full, when its oldest request has waited max_queue_delay, or when
    // stopping (queued work is run at once rather than waiting for company).
    const Clock::time_point deadline = queue_.front().queued + options_.max_queue_delay;
    while (!queue_.empty() && queued_rows_ < options_.max_batch_size && !stopping_) {
      if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) break;
    }
    if (!BatchReady()) continue;  // another worker took them, or the slots filled meanwhile
    // The oldest request always fits (Submit bounded its rows); later ones while they fit.
    std::vector<Queued> batch;
    size_t rows = 0;
    while (!queue_.empty() && rows + queue_.front().request.batch_rows <= options_.max_batch_size) {
      rows += queue_.front().request.batch_rows;
      queued_rows_ -= queue_.front().request.batch_rows;
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    in_flight_ += batch.size();
    ++running_batches_;
    return batch;
  }
}

bool BatchScheduler::BatchReady() const {
  return !queue_.empty() && (running_batches_ < options_.worker_threads || stopping_);
}

void BatchScheduler::RunBatch(std::vector<Queued> batch, bool on_submitter) {
  std::vector<const InferenceRequest*> requests;
  requests.reserve(batch.size());
  for (const Queued& queued : batch) requests.push_back(&queued.request);

  RequestTiming timing;
  timing.started = Clock::now();
  timing.batch_size = batch.size();
  for (const Queued& queued : batch) timing.batch_rows += queued.request.batch_rows;
  std::vector<InferenceResult> results = batch_function_(requests);
  timing.finished = Clock::now();

  for (size_t i = 0; i < batch.size(); ++i) {
    timing.queued = batch[i].queued;
    InferenceResult result =
        results.size() == batch.size()
            ? std::move(results[i])
            : InferenceResult(Internal("batch function of model " + name_ + " returned " +
                                       std::to_string(results.size()) + " results for " +
                                       std::to_string(batch.size()) + " requests"));
    if (batch[i].request.on_complete) batch[i].request.on_complete(std::move(result), timing);
  }
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_ -= batch.size();
    --running_batches_;
    if (on_submitter) --submitters_running_;
    // Queued work may have waited for this slot; Stop() waits for the last batch.
    wake = !queue_.empty() || stopping_;
  }
  if (wake) cv_.notify_all();
}

}  // namespace s3ml::serving
