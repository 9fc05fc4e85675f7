#include "serving/model_config.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "serving/json_body.h"

namespace s3ml::serving {
namespace {

using nlohmann::json;

Result<std::vector<std::string>> ParseNames(const json& value, const std::string& key) {
  if (!value.is_array()) return InvalidArgument("config \"" + key + "\" is not an array of names");
  std::vector<std::string> names;
  for (const json& name : value) {
    if (!name.is_string() || name.get_ref<const std::string&>().empty()) {
      return InvalidArgument("config \"" + key + "\" has an entry that is not a non-empty string");
    }
    if (std::find(names.begin(), names.end(), name.get<std::string>()) != names.end()) {
      return InvalidArgument("config \"" + key + "\" lists \"" + name.get<std::string>() + "\" twice");
    }
    names.push_back(name.get<std::string>());
  }
  return names;
}

Result<int64_t> ParseBoundedInt(const json& object, const std::string& key, int64_t min, int64_t max,
                                const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) return InvalidArgument("config " + where + " needs \"" + key + "\"");
  if (!it->is_number_integer()) {
    return InvalidArgument("config " + where + " \"" + key + "\" is not an integer");
  }
  // Non-negative JSON integers are stored unsigned; compare those before narrowing.
  const bool in_range = it->is_number_unsigned()
                            ? it->get<uint64_t>() <= static_cast<uint64_t>(max) &&
                                  static_cast<int64_t>(it->get<uint64_t>()) >= min
                            : it->get<int64_t>() >= min && it->get<int64_t>() <= max;
  if (!in_range) {
    return InvalidArgument("config " + where + " \"" + key + "\" " + it->dump() + " is outside [" +
                           std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return it->get<int64_t>();
}

Status RefuseUnknownKeys(const json& object, std::initializer_list<std::string_view> known,
                         const std::string& where) {
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return InvalidArgument("config " + where + " has unknown key \"" + key + "\"");
    }
  }
  return Status::Ok();
}

Result<BatchingOptions> ParseBatching(const json& value) {
  if (!value.is_object()) return InvalidArgument("config \"batching\" is not an object");
  S3ML_RETURN_IF_ERROR(
      RefuseUnknownKeys(value, {"max_batch", "max_queue_delay_us", "max_queue_size"}, "\"batching\""));
  BatchingOptions options;
  S3ML_ASSIGN_OR_RETURN(int64_t max_batch,
                        ParseBoundedInt(value, "max_batch", 1, kMaxConfigBatch, "\"batching\""));
  S3ML_ASSIGN_OR_RETURN(int64_t delay, ParseBoundedInt(value, "max_queue_delay_us", 0,
                                                       kMaxConfigQueueDelayUs, "\"batching\""));
  S3ML_ASSIGN_OR_RETURN(int64_t queue,
                        ParseBoundedInt(value, "max_queue_size", 1, kMaxConfigQueueSize, "\"batching\""));
  options.max_batch_size = static_cast<size_t>(max_batch);
  options.max_queue_delay = std::chrono::microseconds(delay);
  options.max_queue_size = static_cast<size_t>(queue);
  return options;
}

Result<VersionPolicy> ParseVersionPolicy(const json& value) {
  if (!value.is_object() || value.size() != 1) {
    return InvalidArgument("config \"version_policy\" must be {\"latest\": N} or {\"specific\": [...]}");
  }
  VersionPolicy policy;
  if (value.contains("latest")) {
    policy.kind = VersionPolicy::Kind::kLatest;
    S3ML_ASSIGN_OR_RETURN(policy.latest, ParseBoundedInt(value, "latest", 1, kMaxConfigVersions,
                                                         "\"version_policy\""));
    return policy;
  }
  auto specific = value.find("specific");
  if (specific == value.end()) {
    return InvalidArgument("config \"version_policy\" must be {\"latest\": N} or {\"specific\": [...]}");
  }
  if (!specific->is_array() || specific->empty() || specific->size() > kMaxConfigVersions) {
    return InvalidArgument("config \"version_policy\" \"specific\" must list 1 to " +
                           std::to_string(kMaxConfigVersions) + " versions");
  }
  policy.kind = VersionPolicy::Kind::kSpecific;
  for (const json& version : *specific) {
    if (!version.is_number_integer() || (!version.is_number_unsigned() && version.get<int64_t>() < 0) ||
        (version.is_number_unsigned() && version.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) {
      return InvalidArgument("config \"version_policy\" \"specific\" entry " + version.dump() +
                             " is not a version number");
    }
    policy.specific.push_back(version.get<int64_t>());
  }
  std::sort(policy.specific.begin(), policy.specific.end());
  if (std::adjacent_find(policy.specific.begin(), policy.specific.end()) != policy.specific.end()) {
    return InvalidArgument("config \"version_policy\" \"specific\" lists a version twice");
  }
  return policy;
}

}  // namespace

Status CheckConfigMatchesModel(const ModelConfig& config, const std::vector<engine::TensorInfo>& inputs,
                               const std::vector<engine::TensorInfo>& outputs) {
  auto check = [](const std::vector<std::string>& names, const std::vector<engine::TensorInfo>& tensors,
                  const char* kind) -> Status {
    for (const std::string& name : names) {
      bool found = false;
      for (const engine::TensorInfo& info : tensors) found = found || info.name == name;
      if (!found) {
        return InvalidArgument(std::string("config.json names ") + kind + " \"" + name +
                               "\" but the model has no such " + kind);
      }
    }
    return Status::Ok();
  };
  S3ML_RETURN_IF_ERROR(check(config.input_names, inputs, "input"));
  return check(config.output_names, outputs, "output");
}

ValidationOptions ValidationOptionsFor(const ModelConfig& config) {
  ValidationOptions options;
  if (config.batching.has_value()) {
    options.allow_batch_dim = true;
    options.max_batch_size = static_cast<int64_t>(config.batching->max_batch_size);
  }
  return options;
}

bool IsSafeRepositoryName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name[0] == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<ModelConfig> ParseModelConfig(std::string_view json_text) {
  S3ML_ASSIGN_OR_RETURN(json config, ParseJsonBody(json_text, "config.json"));
  if (!config.is_object()) return InvalidArgument("config.json is not a JSON object");
  S3ML_RETURN_IF_ERROR(RefuseUnknownKeys(
      config, {"inputs", "outputs", "labels", "batching", "version_policy"}, "config.json"));
  ModelConfig parsed;
  if (config.contains("inputs")) {
    S3ML_ASSIGN_OR_RETURN(parsed.input_names, ParseNames(config["inputs"], "inputs"));
  }
  if (config.contains("outputs")) {
    S3ML_ASSIGN_OR_RETURN(parsed.output_names, ParseNames(config["outputs"], "outputs"));
  }
  if (config.contains("labels")) {
    const json& labels = config["labels"];
    if (!labels.is_string() || !IsSafeRepositoryName(labels.get_ref<const std::string&>())) {
      return InvalidArgument("config \"labels\" must be a plain file name beside config.json");
    }
    parsed.labels_file = labels.get<std::string>();
  }
  if (config.contains("batching")) {
    S3ML_ASSIGN_OR_RETURN(parsed.batching, ParseBatching(config["batching"]));
  }
  if (config.contains("version_policy")) {
    S3ML_ASSIGN_OR_RETURN(parsed.version_policy, ParseVersionPolicy(config["version_policy"]));
  }
  return parsed;
}

}  // namespace s3ml::serving
