// ModelConfig: the small per-model config.json of the model repository (untrusted storage).
//
//   {"inputs": ["image"], "outputs": ["scores"],          // optional: names the model must have
//    "labels": "labels.txt.s3ml",                          // optional: each version's sealed labels
//    "batching": {"max_batch": 8, "max_queue_delay_us": 2000, "max_queue_size": 64},
//    "version_policy": {"latest": 2}  or  {"specific": [1, 3]}}
//
// Every key is optional; unknown keys are refused (a typo must not silently disable a setting).
// Without "batching" requests run one at a time; without "version_policy" the latest version
// is served. Limits keep hostile configs from asking for absurd queues or delays.
#ifndef S3ML_SERVING_MODEL_CONFIG_H_
#define S3ML_SERVING_MODEL_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "engine/tensor_info.h"
#include "serving/batch_scheduler.h"
#include "serving/tensor_validator.h"

namespace s3ml::serving {

inline constexpr size_t kMaxConfigBatch = 1024;
inline constexpr size_t kMaxConfigQueueSize = 100000;
inline constexpr int64_t kMaxConfigQueueDelayUs = 10'000'000;
inline constexpr size_t kMaxConfigVersions = 1000;

struct VersionPolicy {
  enum class Kind { kLatest, kSpecific };
  Kind kind = Kind::kLatest;
  int64_t latest = 1;              // kLatest: how many of the highest versions
  std::vector<int64_t> specific;   // kSpecific: exactly these versions, ascending, unique

  bool operator==(const VersionPolicy&) const = default;
};

struct ModelConfig {
  std::vector<std::string> input_names;
  std::vector<std::string> output_names;
  std::string labels_file;                 // "" when none
  std::optional<BatchingOptions> batching; // nullopt: batching off
  VersionPolicy version_policy;

  bool operator==(const ModelConfig&) const = default;
};

// Parses config.json text; errors are kInvalidArgument naming the key and the value.
Result<ModelConfig> ParseModelConfig(std::string_view json_text);

// Once the model is loaded: every input and output name the config lists must exist in it
// (kInvalidArgument naming the first that does not).
Status CheckConfigMatchesModel(const ModelConfig& config, const std::vector<engine::TensorInfo>& inputs,
                               const std::vector<engine::TensorInfo>& outputs);

// How requests to this model are validated: the leading dim is free (up to max_batch) exactly
// when batching is configured.
ValidationOptions ValidationOptionsFor(const ModelConfig& config);

// A single path component we are willing to serve under: 1..128 of [A-Za-z0-9_.-], not
// starting with '.' (so never "." or ".." or hidden files).
bool IsSafeRepositoryName(std::string_view name);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_MODEL_CONFIG_H_
