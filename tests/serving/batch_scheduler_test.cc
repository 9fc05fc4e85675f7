// The batch function here is a fake that replaces the engine: it records the batches it is
// given and echoes each request's input back as its output, so the tests see exactly how the
// scheduler grouped, ordered and completed requests.
#include "serving/batch_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

namespace s3ml::serving {
namespace {

using namespace std::chrono_literals;

// Generous bound for "this must happen"; never a measured duration.
constexpr auto kEventually = 30s;

TensorPayload Tagged(int tag) {
  return TensorPayload{"tag", Datatype::kInt32, {1}, {static_cast<uint8_t>(tag), 0, 0, 0}};
}

class Recorder {
 public:
  // Blocks every batch until Release() when gated.
  explicit Recorder(bool gated = false) : gated_(gated) {}

  BatchFunction Function() {
    return [this](std::span<const InferenceRequest* const> batch) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        sizes_.push_back(batch.size());
        ++batches_started_;
        cv_.notify_all();
        cv_.wait(lock, [this] { return !gated_; });
      }
      std::vector<InferenceResult> results;
      for (const InferenceRequest* request : batch) results.emplace_back(request->inputs);
      return results;
    };
  }
  void WaitForBatchesStarted(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, kEventually, [&] { return batches_started_ >= n; }));
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    gated_ = false;
    cv_.notify_all();
  }
  std::vector<size_t> sizes() {
    std::lock_guard<std::mutex> lock(mu_);
    return sizes_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool gated_;
  size_t batches_started_ = 0;
  std::vector<size_t> sizes_;
};

// Counts completions and keeps the order of tags and each completion's timing.
class Completions {
 public:
  InferenceRequest Request(int tag) {
    InferenceRequest request;
    request.inputs = {Tagged(tag)};
    request.on_complete = [this, tag](InferenceResult result, const RequestTiming& timing) {
      std::lock_guard<std::mutex> lock(mu_);
      ok_ += result.ok() && result->size() == 1 && (*result)[0] == Tagged(tag);
      tags_.push_back(tag);
      timings_.push_back(timing);
      cv_.notify_all();
    };
    return request;
  }
  bool WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kEventually, [&] { return tags_.size() >= n; });
  }
  std::vector<int> tags() {
    std::lock_guard<std::mutex> lock(mu_);
    return tags_;
  }
  std::vector<RequestTiming> timings() {
    std::lock_guard<std::mutex> lock(mu_);
    return timings_;
  }
  size_t ok() {
    std::lock_guard<std::mutex> lock(mu_);
    return ok_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int> tags_;
  std::vector<RequestTiming> timings_;
  size_t ok_ = 0;
};

std::unique_ptr<BatchScheduler> Make(const BatchingOptions& options, Recorder& recorder) {
  Result<std::unique_ptr<BatchScheduler>> scheduler = BatchScheduler::Create("m/1", options, recorder.Function());
  EXPECT_TRUE(scheduler.ok()) << scheduler.status().ToString();
  return std::move(scheduler).value();
}

TEST(BatchSchedulerTest, BatchesFormUpToTheMaximumInArrivalOrder) {
  Recorder recorder(/*gated=*/true);
  Completions done;
  // A delay far beyond the test's life: only a full batch (or Stop) may release work.
  auto scheduler = Make({.max_batch_size = 4, .max_queue_delay = 3600s, .max_queue_size = 100}, recorder);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(scheduler->Submit(done.Request(i)).ok());
  recorder.WaitForBatchesStarted(1);  // the first full batch is taken while gated
  for (int i = 4; i < 14; ++i) ASSERT_TRUE(scheduler->Submit(done.Request(i)).ok());
  recorder.Release();
  ASSERT_TRUE(done.WaitFor(12));  // 4 + two more full batches of 4
  scheduler->Stop();              // the last 2 never fill a batch; Stop runs them
  std::vector<size_t> sizes = recorder.sizes();
  ASSERT_EQ(sizes, (std::vector<size_t>{4, 4, 4, 2}));
  std::vector<int> tags = done.tags();
  ASSERT_EQ(tags.size(), 14u);
  for (int i = 0; i < 14; ++i) EXPECT_EQ(tags[i], i);  // one worker: FIFO
  EXPECT_EQ(done.ok(), 14u);
  for (const RequestTiming& timing : done.timings()) {
    EXPECT_LE(timing.queued, timing.started);
    EXPECT_LE(timing.started, timing.finished);
    EXPECT_GE(timing.batch_size, 1u);
    EXPECT_LE(timing.batch_size, 4u);
  }
}

TEST(BatchSchedulerTest, BatchesCountRowsNotRequests) {
  Recorder recorder(/*gated=*/true);
  Completions done;
  auto scheduler = Make({.max_batch_size = 4, .max_queue_delay = 3600s, .max_queue_size = 100}, recorder);
  InferenceRequest first = done.Request(0);
  first.batch_rows = 4;  // a full batch on its own
  ASSERT_TRUE(scheduler->Submit(std::move(first)).ok());
  recorder.WaitForBatchesStarted(1);
  for (int i = 1; i <= 4; ++i) {
    InferenceRequest request = done.Request(i);
    request.batch_rows = i == 1 ? 3 : (i == 2 ? 2 : 1);  // rows 3, 2, 1, 1
    ASSERT_TRUE(scheduler->Submit(std::move(request)).ok());
  }
  InferenceRequest too_big = done.Request(9);
  too_big.batch_rows = 5;
  EXPECT_EQ(scheduler->Submit(std::move(too_big)).code(), StatusCode::kInvalidArgument);
  InferenceRequest empty = done.Request(9);
  empty.batch_rows = 0;
  EXPECT_EQ(scheduler->Submit(std::move(empty)).code(), StatusCode::kInvalidArgument);
  recorder.Release();
  scheduler->Stop();
  // [4 rows], then 3 (+2 would be 5), then 2+1+1.
  EXPECT_EQ(recorder.sizes(), (std::vector<size_t>{1, 1, 3}));
  std::vector<RequestTiming> timings = done.timings();
  ASSERT_EQ(timings.size(), 5u);
  EXPECT_EQ(timings[0].batch_rows, 4u);
  EXPECT_EQ(timings[1].batch_rows, 3u);
  EXPECT_EQ(timings[4].batch_rows, 4u);
  EXPECT_EQ(done.tags(), (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(BatchSchedulerTest, AnUnfilledBatchRunsOnceTheDelayExpires) {
  Recorder recorder;
  Completions done;
  auto scheduler = Make({.max_batch_size = 100, .max_queue_delay = 1ms, .max_queue_size = 100}, recorder);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(scheduler->Submit(done.Request(i)).ok());
  // Nothing else arrives and nobody stops the scheduler: only the delay bound can run them.
  ASSERT_TRUE(done.WaitFor(3));
  size_t total = 0;
  for (size_t size : recorder.sizes()) {
    EXPECT_LT(size, 100u);
    total += size;
  }
  EXPECT_EQ(total, 3u);
  EXPECT_EQ(done.ok(), 3u);
}

TEST(BatchSchedulerTest, AFullQueueRefusesImmediately) {
  Recorder recorder(/*gated=*/true);
  Completions done;
  auto scheduler = Make({.max_batch_size = 1, .max_queue_delay = 0us, .max_queue_size = 3}, recorder);
  ASSERT_TRUE(scheduler->Submit(done.Request(0)).ok());
  recorder.WaitForBatchesStarted(1);  // request 0 is in flight, the queue is empty
  EXPECT_EQ(scheduler->in_flight(), 1u);
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(scheduler->Submit(done.Request(i)).ok());
  EXPECT_EQ(scheduler->queued(), 3u);
  Status refused = scheduler->Submit(done.Request(99));
  EXPECT_EQ(refused.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("m/1"), std::string::npos);
  recorder.Release();
  scheduler->Stop();
  std::vector<int> tags = done.tags();
  EXPECT_EQ(tags, (std::vector<int>{0, 1, 2, 3}));  // 99 never ran
  EXPECT_EQ(scheduler->queued(), 0u);
  EXPECT_EQ(scheduler->in_flight(), 0u);
}

TEST(BatchSchedulerTest, StopDrainsQueuedWorkThenRefuses) {
  Recorder recorder;
  Completions done;
  auto scheduler = Make({.max_batch_size = 8, .max_queue_delay = 3600s, .max_queue_size = 100}, recorder);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(scheduler->Submit(done.Request(i)).ok());
  scheduler->Stop();  // must not wait an hour for the batch to fill
  EXPECT_EQ(done.tags().size(), 5u);
  EXPECT_EQ(done.ok(), 5u);
  EXPECT_EQ(scheduler->Submit(done.Request(5)).code(), StatusCode::kUnavailable);
  scheduler->Stop();  // idempotent
}

TEST(BatchSchedulerTest, ManyProducersAndWorkersCompleteEveryRequestOnce) {
  Recorder recorder;
  Completions done;
  auto scheduler = Make(
      {.max_batch_size = 5, .max_queue_delay = 100us, .max_queue_size = 10000, .worker_threads = 3},
      recorder);
  constexpr int kProducers = 8, kPerProducer = 50;
  std::vector<std::thread> producers;
  std::atomic<int> refused{0};
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        if (!scheduler->Submit(done.Request((p * kPerProducer + i) % 200)).ok()) ++refused;
      }
    });
  }
  for (std::thread& producer : producers) producer.join();
  scheduler->Stop();
  EXPECT_EQ(refused.load(), 0);
  EXPECT_EQ(done.tags().size(), static_cast<size_t>(kProducers * kPerProducer));
  EXPECT_EQ(done.ok(), static_cast<size_t>(kProducers * kPerProducer));
  size_t total = 0;
  for (size_t size : recorder.sizes()) {
    EXPECT_GE(size, 1u);
    EXPECT_LE(size, 5u);
    total += size;
  }
  EXPECT_EQ(total, static_cast<size_t>(kProducers * kPerProducer));
}

TEST(BatchSchedulerTest, AWrongResultCountFailsTheBatch) {
  Completions done;
  Result<std::unique_ptr<BatchScheduler>> scheduler = BatchScheduler::Create(
      "m/1", {.max_batch_size = 2, .max_queue_delay = 0us},
      [](std::span<const InferenceRequest* const>) { return std::vector<InferenceResult>{}; });
  ASSERT_TRUE(scheduler.ok());
  std::promise<Status> result;
  InferenceRequest request;
  request.on_complete = [&](InferenceResult r, const RequestTiming&) { result.set_value(r.status()); };
  ASSERT_TRUE((*scheduler)->Submit(std::move(request)).ok());
  std::future<Status> future = result.get_future();
  ASSERT_EQ(future.wait_for(kEventually), std::future_status::ready);
  Status status = future.get();
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("returned 0 results for 1 requests"), std::string::npos);
}

// The thread each batch ran on, for the submitter_runs tests.
class ThreadRecorder {
 public:
  BatchFunction Function() {
    return [this](std::span<const InferenceRequest* const> batch) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        threads_.push_back(std::this_thread::get_id());
      }
      std::vector<InferenceResult> results;
      for (const InferenceRequest* request : batch) results.emplace_back(request->inputs);
      return results;
    };
  }
  std::vector<std::thread::id> threads() {
    std::lock_guard<std::mutex> lock(mu_);
    return threads_;
  }

 private:
  std::mutex mu_;
  std::vector<std::thread::id> threads_;
};

TEST(BatchSchedulerTest, ASubmitterRunsADueRequestItselfWhileAWorkerSlotIsFree) {
  for (const size_t submitter_runs : {0u, 1u}) {
    ThreadRecorder recorder;
    Completions done;
    auto scheduler = BatchScheduler::Create(
        "m/1", {.max_batch_size = 1, .max_queue_delay = 0us, .submitter_runs = submitter_runs}, recorder.Function());
    ASSERT_TRUE(scheduler.ok());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*scheduler)->Submit(done.Request(i)).ok());
    ASSERT_TRUE(done.WaitFor(3));
    (*scheduler)->Stop();
    for (std::thread::id ran_on : recorder.threads()) {
      EXPECT_EQ(ran_on == std::this_thread::get_id(), submitter_runs == 1) << "submitter_runs " << submitter_runs;
    }
    EXPECT_EQ(done.ok(), 3u);
  }
}

TEST(BatchSchedulerTest, ARequestThatWouldWaitForCompanyIsQueuedNotRunBySubmitter) {
  ThreadRecorder recorder;
  Completions done;
  auto scheduler = BatchScheduler::Create(
      "m/1", {.max_batch_size = 4, .max_queue_delay = 3600s, .submitter_runs = 1}, recorder.Function());
  ASSERT_TRUE(scheduler.ok());
  ASSERT_TRUE((*scheduler)->Submit(done.Request(1)).ok());
  EXPECT_EQ((*scheduler)->queued(), 1u);
  (*scheduler)->Stop();  // runs it on the worker
  ASSERT_EQ(done.tags(), std::vector<int>{1});
  ASSERT_EQ(recorder.threads().size(), 1u);
  EXPECT_NE(recorder.threads()[0], std::this_thread::get_id());
}

TEST(BatchSchedulerTest, SubmittersAndWorkersTogetherRunAtMostWorkerThreadsBatches) {
  Recorder recorder(/*gated=*/true);
  Completions done;
  auto scheduler = Make({.max_batch_size = 1, .max_queue_delay = 0us, .max_queue_size = 10, .worker_threads = 1,
                         .submitter_runs = 2},
                        recorder);
  // The first submitter takes the only slot and blocks in the gated batch.
  auto first = std::async(std::launch::async, [&] { return scheduler->Submit(done.Request(1)); });
  recorder.WaitForBatchesStarted(1);
  EXPECT_EQ(scheduler->in_flight(), 1u);
  // The second finds no free slot: it queues and returns at once, and nobody may start it yet.
  ASSERT_TRUE(scheduler->Submit(done.Request(2)).ok());
  EXPECT_EQ(scheduler->queued(), 1u);
  std::this_thread::sleep_for(50ms);  // room for a wrongly started second batch to show
  EXPECT_EQ(recorder.sizes().size(), 1u);
  recorder.Release();
  ASSERT_TRUE(first.get().ok());
  ASSERT_TRUE(done.WaitFor(2));
  EXPECT_EQ(done.ok(), 2u);
}

TEST(BatchSchedulerTest, AtMostSubmitterRunsCallersRunAtOnce) {
  Recorder recorder(/*gated=*/true);
  Completions done;
  auto scheduler = Make({.max_batch_size = 1, .max_queue_delay = 0us, .max_queue_size = 10, .worker_threads = 2,
                         .submitter_runs = 1},
                        recorder);
  auto first = std::async(std::launch::async, [&] { return scheduler->Submit(done.Request(1)); });
  recorder.WaitForBatchesStarted(1);
  // A slot is free but the one submitter run is taken: this call returns, a worker runs it.
  ASSERT_TRUE(scheduler->Submit(done.Request(2)).ok());
  recorder.WaitForBatchesStarted(2);
  recorder.Release();
  ASSERT_TRUE(first.get().ok());
  ASSERT_TRUE(done.WaitFor(2));
}

TEST(BatchSchedulerTest, StopWaitsForARequestASubmitterIsRunning) {
  Recorder recorder(/*gated=*/true);
  Completions done;
  auto scheduler = Make({.max_batch_size = 1, .max_queue_delay = 0us, .submitter_runs = 1}, recorder);
  auto submitted = std::async(std::launch::async, [&] { return scheduler->Submit(done.Request(1)); });
  recorder.WaitForBatchesStarted(1);
  auto stopped = std::async(std::launch::async, [&] { scheduler->Stop(); });
  EXPECT_EQ(stopped.wait_for(50ms), std::future_status::timeout);
  recorder.Release();
  ASSERT_EQ(stopped.wait_for(kEventually), std::future_status::ready);
  ASSERT_TRUE(submitted.get().ok());
  EXPECT_EQ(done.tags(), std::vector<int>{1});
}

TEST(BatchSchedulerTest, RefusesUnusableOptions) {
  auto echo = [](std::span<const InferenceRequest* const> b) { return std::vector<InferenceResult>(b.size(), InferenceResult(std::vector<TensorPayload>{})); };
  EXPECT_FALSE(BatchScheduler::Create("m", {.max_batch_size = 0}, echo).ok());
  EXPECT_FALSE(BatchScheduler::Create("m", {.max_queue_size = 0}, echo).ok());
  EXPECT_FALSE(BatchScheduler::Create("m", {.worker_threads = 0}, echo).ok());
  EXPECT_FALSE(BatchScheduler::Create("m", {.max_queue_delay = -1us}, echo).ok());
  EXPECT_FALSE(BatchScheduler::Create("m", {}, nullptr).ok());
}

}  // namespace
}  // namespace s3ml::serving
