#include "serving/model_store.h"

#include <algorithm>
#include <limits>
#include <set>

#include "core/log.h"

namespace s3ml::serving {
namespace {

std::string KeyLabel(const std::string& model, int64_t version) { return model + "/" + std::to_string(version); }

}  // namespace

ModelStore::ModelStore(ModelStoreOptions options, ServingMetrics* metrics)
    : options_(std::move(options)), metrics_(metrics) {}

ModelStore::~ModelStore() { UnloadAll(); }

void ModelStore::SetModelKeys(std::map<std::string, crypto::SecretBytes> keys) {
  std::lock_guard<std::mutex> lock(keys_mu_);
  keys_.clear();
  for (auto& [name, key] : keys) keys_.emplace(name, std::move(key));
  ++key_generation_;
}

Result<PollReport> ModelStore::Poll() {
  std::lock_guard<std::mutex> poll_lock(poll_mu_);
  S3ML_ASSIGN_OR_RETURN(RepositoryScan scan, ScanModelRepository(options_.repository));
  PollReport report;
  report.scan_problems = scan.problems;

  std::set<Key> wanted;
  for (const ServableVersion& servable : scan.servables) wanted.insert({servable.model, servable.version});

  {
    std::lock_guard<std::mutex> lock(keys_mu_);
    for (auto it = failures_.begin(); it != failures_.end();) {
      it = wanted.count(it->first) == 0 ? failures_.erase(it) : std::next(it);
    }
  }

  for (const ServableVersion& servable : scan.servables) {
    const Key key{servable.model, servable.version};
    std::shared_ptr<LoadedModel> current;
    {
      std::lock_guard<std::mutex> lock(loaded_mu_);
      auto it = loaded_.find(key);
      if (it != loaded_.end()) current = it->second;
    }
    if (current != nullptr && current->servable() == servable) continue;

    crypto::SecretBytes model_key;
    uint64_t generation = 0;
    {
      std::lock_guard<std::mutex> lock(keys_mu_);
      generation = key_generation_;
      auto failed = failures_.find(key);
      if (failed != failures_.end() && failed->second.servable == servable &&
          failed->second.key_generation == generation) {
        continue;  // unchanged since it failed: do not decrypt it again every poll
      }
      auto found = keys_.find(servable.model);
      if (found != keys_.end()) model_key = found->second.Clone();
    }

    Result<std::shared_ptr<LoadedModel>> loaded =
        model_key.empty()
            ? Result<std::shared_ptr<LoadedModel>>(PermissionDenied(
                  "model " + servable.model + " version " + std::to_string(servable.version) +
                  ": no model key was provisioned for it (the manifest does not give this server the model)"))
            : LoadedModel::Load(servable, model_key.span(), options_.load);
    model_key.Clear();
    if (!loaded.ok()) {
      const std::string reason = loaded.status().ToString();
      Log(LogLevel::kWarning, "model-store", "load failed: " + reason);
      report.failed.push_back({KeyLabel(servable.model, servable.version), reason});
      std::lock_guard<std::mutex> lock(keys_mu_);
      failures_[key] = Failure{servable, generation, reason};
      continue;  // a changed version that fails keeps serving its previous load, if any
    }
    if (current != nullptr) Unload(key);
    if (metrics_ != nullptr) metrics_->RegisterModelVersion(servable.model, servable.version);
    size_t count = 0;
    {
      std::lock_guard<std::mutex> lock(loaded_mu_);
      loaded_[key] = std::move(loaded).value();
      count = loaded_.size();
    }
    {
      std::lock_guard<std::mutex> lock(keys_mu_);
      failures_.erase(key);
    }
    if (metrics_ != nullptr) metrics_->SetLoadedModels(static_cast<int64_t>(count));
    Log(LogLevel::kInfo, "model-store", "loaded " + KeyLabel(servable.model, servable.version));
    report.loaded.push_back(KeyLabel(servable.model, servable.version));
  }

  // Unload what left the repository or the version policy, after loading, so that a model whose
  // wanted versions all failed to load keeps serving the version it had (no gap, no outage).
  std::set<std::string> models_served_as_wanted;
  std::vector<Key> to_unload;
  {
    std::lock_guard<std::mutex> lock(loaded_mu_);
    for (const auto& [key, model] : loaded_) {
      if (wanted.count(key) != 0) models_served_as_wanted.insert(key.first);
    }
    for (const auto& [key, model] : loaded_) {
      if (wanted.count(key) != 0) continue;
      const std::string& name = key.first;  // clang 14 (`make fuzz`) cannot capture a structured binding
      const bool model_still_wanted = std::any_of(wanted.begin(), wanted.end(), [&](const Key& w) { return w.first == name; });
      if (model_still_wanted && models_served_as_wanted.count(key.first) == 0) {
        Log(LogLevel::kWarning, "model-store",
            "keeping " + KeyLabel(key.first, key.second) + ": no version the policy wants could be loaded");
        continue;
      }
      to_unload.push_back(key);
    }
  }
  for (const Key& key : to_unload) {
    Unload(key);
    report.unloaded.push_back(KeyLabel(key.first, key.second));
  }
  return report;
}

void ModelStore::Unload(const Key& key) {
  std::shared_ptr<LoadedModel> model;
  size_t count = 0;
  {
    std::lock_guard<std::mutex> lock(loaded_mu_);
    auto it = loaded_.find(key);
    if (it == loaded_.end()) return;
    model = std::move(it->second);
    loaded_.erase(it);
    count = loaded_.size();
  }
  // Finish its queued requests here, so the last reference (maybe an IO thread's) never waits.
  model->Stop();
  if (metrics_ != nullptr) {
    metrics_->UnregisterModelVersion(key.first, key.second);
    metrics_->SetLoadedModels(static_cast<int64_t>(count));
  }
  Log(LogLevel::kInfo, "model-store", "unloaded " + KeyLabel(key.first, key.second));
}

Result<std::shared_ptr<LoadedModel>> ModelStore::Find(std::string_view model, std::optional<int64_t> version) const {
  const std::string name(model);
  std::lock_guard<std::mutex> lock(loaded_mu_);
  if (version.has_value()) {
    auto it = loaded_.find({name, *version});
    if (it != loaded_.end()) return it->second;
    bool any = false;
    auto first = loaded_.lower_bound({name, std::numeric_limits<int64_t>::min()});
    any = first != loaded_.end() && first->first.first == name;
    if (!any) return NotFound("model " + name + " is not loaded");
    return NotFound("model " + name + " has no loaded version " + std::to_string(*version));
  }
  auto it = loaded_.upper_bound({name, std::numeric_limits<int64_t>::max()});
  if (it == loaded_.begin() || std::prev(it)->first.first != name) return NotFound("model " + name + " is not loaded");
  return std::prev(it)->second;
}

std::vector<int64_t> ModelStore::Versions(std::string_view model) const {
  const std::string name(model);
  std::vector<int64_t> versions;
  std::lock_guard<std::mutex> lock(loaded_mu_);
  for (auto it = loaded_.lower_bound({name, std::numeric_limits<int64_t>::min()});
       it != loaded_.end() && it->first.first == name; ++it) {
    versions.push_back(it->first.second);
  }
  return versions;
}

std::vector<std::shared_ptr<LoadedModel>> ModelStore::All() const {
  std::lock_guard<std::mutex> lock(loaded_mu_);
  std::vector<std::shared_ptr<LoadedModel>> all;
  for (const auto& [key, model] : loaded_) all.push_back(model);
  return all;
}

size_t ModelStore::loaded_count() const {
  std::lock_guard<std::mutex> lock(loaded_mu_);
  return loaded_.size();
}

std::optional<std::string> ModelStore::LoadError(std::string_view model, int64_t version) const {
  std::lock_guard<std::mutex> lock(keys_mu_);
  auto it = failures_.find({std::string(model), version});
  if (it == failures_.end()) return std::nullopt;
  return it->second.reason;
}

void ModelStore::UnloadAll() {
  std::vector<Key> keys;
  {
    std::lock_guard<std::mutex> lock(loaded_mu_);
    for (const auto& [key, model] : loaded_) keys.push_back(key);
  }
  for (const Key& key : keys) Unload(key);
}

}  // namespace s3ml::serving
