// LoadedModel: one model version decrypted into enclave memory, loaded into the engine and
// ready to run requests.
//
// Load() reads `<version>/model.tflite.s3ml` from the untrusted repository, decrypts it with the
// provisioned model key (AAD = model name + version, so a file copied from another model or
// version is refused), hands the plaintext to engine::Model::Load and wipes it: plaintext model
// bytes never leave process memory. Errors name the model and version: kDataLoss for a wrong key
// or an altered file, kInvalidArgument / kUnimplemented for a model the engine refuses or one that
// does not match its config.
//
// Execution: a BatchScheduler per version. With "batching" in config.json it batches up to
// max_batch rows (the engine's shapes are static, so the rows of a batch run one after the other
// on one Execution: batching saves queue hand-offs, not kernel work); without it the same
// scheduler with batches of one and `workers` threads is a plain worker pool with a bounded queue.
// A full queue is kResourceExhausted (HTTP 503); after Stop() Submit is kUnavailable.
#ifndef S3ML_SERVING_LOADED_MODEL_H_
#define S3ML_SERVING_LOADED_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "client/label_map.h"
#include "core/status.h"
#include "engine/allocator.h"
#include "engine/model.h"
#include "engine/tensor_info.h"
#include "serving/batch_scheduler.h"
#include "serving/execution_pool.h"
#include "serving/model_repository_scanner.h"
#include "serving/tensor_validator.h"
#include "serving/v2_header_cache.h"

namespace s3ml::serving {

// Largest encrypted model file read from the repository.
inline constexpr size_t kMaxEncryptedModelBytes = 512u << 20;

struct LoadedModelOptions {
  // Threads of one Invoke (the engine's per-model pool).
  int engine_threads = 1;
  // Scheduler worker threads, each running one request (or batch) at a time.
  size_t workers = std::max(1u, std::thread::hardware_concurrency());
  // Waiting requests per version when config.json has no "batching" (which sets its own).
  size_t max_queue_size = 64;
  // Requests that may run at once on the submitting (IO) thread; see BatchScheduler.
  size_t submitter_runs = 0;
  engine::Allocator* allocator = nullptr;  // nullptr: the heap
};

class LoadedModel {
 public:
  using Completion = std::function<void(InferenceResult result, const RequestTiming& timing)>;

  static Result<std::shared_ptr<LoadedModel>> Load(const ServableVersion& servable,
                                                   std::span<const uint8_t> model_key,
                                                   const LoadedModelOptions& options);
  ~LoadedModel();
  LoadedModel(const LoadedModel&) = delete;
  LoadedModel& operator=(const LoadedModel&) = delete;

  const std::string& name() const { return servable_.model; }
  int64_t version() const { return servable_.version; }
  const ServableVersion& servable() const { return servable_; }
  const std::vector<engine::TensorInfo>& inputs() const { return model_->inputs(); }
  const std::vector<engine::TensorInfo>& outputs() const { return model_->outputs(); }
  const ValidationOptions& validation() const { return validation_; }
  bool batching() const { return validation_.allow_batch_dim; }
  // The config's labels file, read at load (kMaxLabelFileBytes at most); null when it names none.
  // Shared so that a completion can keep it without keeping the model (see Submit).
  const std::shared_ptr<const client::LabelMap>& labels() const { return labels_; }
  // Parses of this version's binary-tensor request headers (ParseV2InferRequest's cache).
  V2HeaderCache* v2_header_cache() const { return &v2_header_cache_; }

  // Queues validated inputs (model order; `batch_rows` = their leading dim when batching, else 1).
  // `on_complete` runs once, on a worker thread or (submitter_runs) on the calling thread before
  // Submit returns, with one output payload per model output.
  // REQUIRES: on_complete does not own the last reference to this LoadedModel.
  Status Submit(std::vector<TensorPayload> inputs, size_t batch_rows, Completion on_complete);

  // Requests queued or running.
  size_t pending() const;
  // Refuses new requests, finishes queued ones and joins the workers. Idempotent.
  // REQUIRES: not called from a completion callback.
  void Stop();

 private:
  LoadedModel(ServableVersion servable, std::shared_ptr<const engine::Model> model, ValidationOptions validation,
              std::shared_ptr<const client::LabelMap> labels);
  std::vector<InferenceResult> RunBatch(std::span<const InferenceRequest* const> batch);
  InferenceResult RunRequest(const InferenceRequest& request, engine::Execution& execution);

  const ServableVersion servable_;
  const std::shared_ptr<const engine::Model> model_;
  const ValidationOptions validation_;
  const std::shared_ptr<const client::LabelMap> labels_;
  ExecutionPool executions_;
  mutable V2HeaderCache v2_header_cache_;
  // Last: destroyed (stopped and joined) before the members its workers use.
  std::unique_ptr<BatchScheduler> scheduler_;
};

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_LOADED_MODEL_H_
