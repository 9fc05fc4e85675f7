// BatchScheduler: dynamic batching for one model version.
//
// Submit() queues a request, or refuses at once with kResourceExhausted (HTTP 503) when
// max_queue_size requests are already waiting, or kUnavailable after Stop(). A fixed set of
// worker threads each take the oldest waiting requests whose rows (their leading batch dims)
// add up to at most max_batch_size, and call the batch function with them. A worker holding
// fewer than max_batch_size rows waits for more, but never past max_queue_delay after the
// oldest request was queued.
// At most worker_threads batches run at once. With submitter_runs > 0, Submit() itself runs a
// request whose batch is due at once (it fills a batch, or max_queue_delay is 0) when nothing is
// queued and a worker slot is free, on the calling thread, before it returns: that saves the two
// thread hand-offs (to a worker and back) that dominate a small model's serving latency. At most
// submitter_runs callers run requests at a time, so callers that must stay responsive (IO
// threads) can keep some of their number free.
// Each request's completion callback runs exactly once, on the thread that ran its batch, after
// the batch function returns, with that request's result and its timing. Stop() refuses new
// requests, runs everything already queued (without waiting for batches to fill), waits for
// running batches and joins the workers; the destructor calls it. REQUIRES: Stop() and the
// destructor are not called from a batch function or completion callback.
#ifndef S3ML_SERVING_BATCH_SCHEDULER_H_
#define S3ML_SERVING_BATCH_SCHEDULER_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "serving/tensor_payload.h"

namespace s3ml::serving {

struct BatchingOptions {
  size_t max_batch_size = 8;
  std::chrono::microseconds max_queue_delay{1000};
  size_t max_queue_size = 64;
  size_t worker_threads = 1;
  size_t submitter_runs = 0;  // set by the server, not by config.json

  bool operator==(const BatchingOptions&) const = default;
};

// Checks every field is usable (sizes >= 1, delay >= 0); names the field otherwise.
Status ValidateBatchingOptions(const BatchingOptions& options);

// When a request waited and ran, on the steady clock; for the queue and compute histograms.
struct RequestTiming {
  std::chrono::steady_clock::time_point queued;
  std::chrono::steady_clock::time_point started;   // its batch was handed to the batch function
  std::chrono::steady_clock::time_point finished;  // the batch function returned
  size_t batch_size = 0;                           // requests in its batch
  size_t batch_rows = 0;                           // rows (examples) in its batch

  std::chrono::nanoseconds queue_time() const { return started - queued; }
  std::chrono::nanoseconds compute_time() const { return finished - started; }
};

using InferenceResult = Result<std::vector<TensorPayload>>;

struct InferenceRequest {
  std::vector<TensorPayload> inputs;
  // Examples this request contributes to a batch (its inputs' leading dim); 1..max_batch_size.
  size_t batch_rows = 1;
  std::function<void(InferenceResult result, const RequestTiming& timing)> on_complete;
};

// Runs one batch; must return one result per request, in order (a wrong count fails the whole
// batch with kInternal). Called from worker threads, possibly concurrently when
// worker_threads > 1.
using BatchFunction = std::function<std::vector<InferenceResult>(std::span<const InferenceRequest* const> batch)>;

class BatchScheduler {
 public:
  // `name` (e.g. "mnist/3") appears in error messages. REQUIRES: ValidateBatchingOptions(options).
  static Result<std::unique_ptr<BatchScheduler>> Create(std::string name, const BatchingOptions& options,
                                                        BatchFunction batch_function);
  ~BatchScheduler();
  BatchScheduler(const BatchScheduler&) = delete;
  BatchScheduler& operator=(const BatchScheduler&) = delete;

  // kInvalidArgument when request.batch_rows is outside [1, max_batch_size].
  Status Submit(InferenceRequest request);
  void Stop();

  size_t queued() const;     // waiting for a worker
  size_t in_flight() const;  // handed to the batch function, not yet completed

 private:
  struct Queued {
    InferenceRequest request;
    std::chrono::steady_clock::time_point queued;
  };

  BatchScheduler(std::string name, const BatchingOptions& options, BatchFunction batch_function);
  void WorkerLoop();
  // Waits until a batch is due and takes it; empty when the scheduler has stopped and drained.
  std::vector<Queued> TakeBatch(std::unique_lock<std::mutex>& lock);
  void RunBatch(std::vector<Queued> batch, bool on_submitter);
  // A worker may take a batch: something is queued and a slot is free (or stopping: drain).
  bool BatchReady() const;

  const std::string name_;
  const BatchingOptions options_;
  const BatchFunction batch_function_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Queued> queue_;
  size_t queued_rows_ = 0;
  size_t in_flight_ = 0;        // requests of running batches
  size_t running_batches_ = 0;  // on workers and submitters
  size_t submitters_running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_BATCH_SCHEDULER_H_
