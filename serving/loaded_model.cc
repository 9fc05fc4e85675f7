#include "serving/loaded_model.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include <nlohmann/json.hpp>

#include "client/encrypted_model.h"
#include "core/file.h"
#include "crypto/secret_bytes.h"

namespace s3ml::serving {
namespace {

std::string Label(const ServableVersion& servable) {
  return "model " + servable.model + " version " + std::to_string(servable.version);
}

// Batching splits requests into rows of the engine's static shape, so every tensor must have a
// leading dim of 1 to run row by row.
Status CheckBatchable(const engine::Model& model) {
  for (const auto* list : {&model.inputs(), &model.outputs()}) {
    for (const engine::TensorInfo& info : *list) {
      if (info.shape.empty() || info.shape[0] != 1) {
        return InvalidArgument("config.json enables batching but tensor " + info.name + " has shape without a leading batch dim of 1");
      }
    }
  }
  return Status::Ok();
}

// The labels file is sealed under the model key (client/encrypted_model.h): labels the enclave
// returns come from the owner, not from the storage operator; a plain file is refused.
Result<client::LabelMap> LoadEncryptedLabels(const ServableVersion& servable, std::span<const uint8_t> model_key) {
  const std::string what = "labels " + servable.labels_path;
  Result<std::vector<uint8_t>> file = ReadFileBytes(servable.labels_path, client::kMaxLabelFileBytes + 64);  // + magic, nonce, tag
  if (!file.ok()) return file.status().WithContext(what);
  Result<std::string> text =
      client::DecryptLabels(model_key, servable.model, static_cast<uint64_t>(servable.version), file.value());
  if (!text.ok()) {
    return text.status().WithContext(what + " (labels files are encrypted with `s3ml model encrypt --labels`)");
  }
  // Answers carry labels in JSON strings and as raw BYTES: both must read the same.
  try {
    (void)nlohmann::json(text.value()).dump();
  } catch (const nlohmann::json::type_error&) {
    return InvalidArgument(what + ": not UTF-8 text");
  }
  return client::LabelMap::Parse(text.value());
}

}  // namespace

Result<std::shared_ptr<LoadedModel>> LoadedModel::Load(const ServableVersion& servable,
                                                       std::span<const uint8_t> model_key,
                                                       const LoadedModelOptions& options) {
  const std::string label = Label(servable);
  if (servable.version < 0) return InvalidArgument(label + ": negative version");
  Result<std::vector<uint8_t>> file = ReadFileBytes(servable.model_path, kMaxEncryptedModelBytes);
  if (!file.ok()) return file.status().WithContext(label);
  Result<crypto::SecretBytes> plaintext =
      client::DecryptModel(model_key, servable.model, static_cast<uint64_t>(servable.version), file.value());
  if (!plaintext.ok()) return plaintext.status().WithContext(label + ": decrypting " + std::string(kModelFileName));

  engine::LoadOptions load_options;
  load_options.allocator = options.allocator;
  load_options.threads = std::max(1, options.engine_threads);
  Result<std::shared_ptr<engine::Model>> model = engine::Model::Load(plaintext.value().span(), load_options);
  plaintext.value().Clear();  // the engine keeps its own copy; wipe ours at once
  if (!model.ok()) return model.status().WithContext(label);

  Status matches = CheckConfigMatchesModel(servable.config, model.value()->inputs(), model.value()->outputs());
  if (!matches.ok()) return matches.WithContext(label);
  ValidationOptions validation = ValidationOptionsFor(servable.config);
  if (validation.allow_batch_dim) {
    Status batchable = CheckBatchable(*model.value());
    if (!batchable.ok()) return batchable.WithContext(label);
  }

  std::shared_ptr<const client::LabelMap> labels;
  if (!servable.labels_path.empty()) {
    Result<client::LabelMap> read = LoadEncryptedLabels(servable, model_key);
    if (!read.ok()) return read.status().WithContext(label);
    labels = std::make_shared<const client::LabelMap>(std::move(read).value());
  }

  std::shared_ptr<LoadedModel> loaded(
      new LoadedModel(servable, std::move(model).value(), validation, std::move(labels)));
  BatchingOptions batching;
  if (servable.config.batching.has_value()) {
    batching = *servable.config.batching;
  } else {
    batching.max_batch_size = 1;
    batching.max_queue_delay = std::chrono::microseconds(0);
    batching.max_queue_size = std::max<size_t>(1, options.max_queue_size);
  }
  batching.worker_threads = std::max<size_t>(1, options.workers);
  batching.submitter_runs = options.submitter_runs;
  Status warm = loaded->executions_.Prewarm(batching.worker_threads);
  if (!warm.ok()) return warm.WithContext(label);

  LoadedModel* raw = loaded.get();
  S3ML_ASSIGN_OR_RETURN(loaded->scheduler_,
                        BatchScheduler::Create(servable.model + "/" + std::to_string(servable.version), batching,
                                               [raw](std::span<const InferenceRequest* const> batch) {
                                                 return raw->RunBatch(batch);
                                               }));
  return loaded;
}

LoadedModel::LoadedModel(ServableVersion servable, std::shared_ptr<const engine::Model> model,
                         ValidationOptions validation, std::shared_ptr<const client::LabelMap> labels)
    : servable_(std::move(servable)),
      model_(model),
      validation_(validation),
      labels_(std::move(labels)),
      executions_(std::move(model)) {}

LoadedModel::~LoadedModel() { Stop(); }

Status LoadedModel::Submit(std::vector<TensorPayload> inputs, size_t batch_rows, Completion on_complete) {
  InferenceRequest request;
  request.inputs = std::move(inputs);
  request.batch_rows = batch_rows;
  request.on_complete = std::move(on_complete);
  return scheduler_->Submit(std::move(request));
}

size_t LoadedModel::pending() const { return scheduler_ ? scheduler_->queued() + scheduler_->in_flight() : 0; }

void LoadedModel::Stop() {
  if (scheduler_) scheduler_->Stop();
}

std::vector<InferenceResult> LoadedModel::RunBatch(std::span<const InferenceRequest* const> batch) {
  std::vector<InferenceResult> results;
  results.reserve(batch.size());
  Result<ExecutionPool::Lease> lease = executions_.Acquire();
  for (const InferenceRequest* request : batch) {
    if (!lease.ok()) {
      results.emplace_back(lease.status());
    } else {
      results.push_back(RunRequest(*request, *lease.value()));
    }
  }
  return results;
}

InferenceResult LoadedModel::RunRequest(const InferenceRequest& request, engine::Execution& execution) {
  const std::vector<engine::TensorInfo>& inputs = model_->inputs();
  const std::vector<engine::TensorInfo>& outputs = model_->outputs();
  if (request.inputs.size() != inputs.size()) return Internal("request inputs do not match the model");
  const size_t rows = request.batch_rows;
  std::vector<TensorPayload> results(outputs.size());
  for (size_t o = 0; o < outputs.size(); ++o) {
    results[o].name = outputs[o].name;
    results[o].datatype = FromEngineType(outputs[o].type);
    results[o].shape.assign(outputs[o].shape.begin(), outputs[o].shape.end());
    if (batching() && !results[o].shape.empty()) results[o].shape[0] = static_cast<int64_t>(rows);
    results[o].data.reserve(outputs[o].byte_size() * rows);
  }
  // Each row is one Invoke of the engine's static shapes (rows == 1 without batching).
  for (size_t row = 0; row < rows; ++row) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::span<uint8_t> destination = execution.input(i);
      const std::vector<uint8_t>& data = request.inputs[i].data;
      if (data.size() != destination.size() * rows) return Internal("input " + inputs[i].name + " has the wrong size");
      std::memcpy(destination.data(), data.data() + row * destination.size(), destination.size());
    }
    Status invoked = execution.Invoke();
    if (!invoked.ok()) return invoked.WithContext("inference");
    for (size_t o = 0; o < outputs.size(); ++o) {
      std::span<const uint8_t> out = execution.output(o);
      results[o].data.insert(results[o].data.end(), out.begin(), out.end());
    }
  }
  return results;
}

}  // namespace s3ml::serving
