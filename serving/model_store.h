// ModelStore: the model versions this server serves, kept in step with the repository.
//
// Poll() scans the repository (model_repository_scanner.h: layout and version policy), loads
// versions that appeared or changed (LoadedModel: decrypt with the provisioned key, engine load)
// and unloads versions that disappeared or fell out of the version policy, without a restart.
// A version that fails to load (no key provisioned for its model, wrong key, tampered file, a
// file of another model or version, a model the engine refuses) is reported with the reason and
// not retried until its repository entry changes or new model keys arrive; the other versions
// keep serving; a model whose wanted versions all fail keeps serving the version it had loaded
// (e.g. a bad new version under "latest 1" does not take the model down). Polling is driven from outside (RepositoryPoller, or a test calling Poll()).
// Find() and Versions() are thread-safe and cheap (IO threads call them per request); an
// unloaded version stays alive until its last in-flight request completes.
#ifndef S3ML_SERVING_MODEL_STORE_H_
#define S3ML_SERVING_MODEL_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "crypto/secret_bytes.h"
#include "serving/loaded_model.h"
#include "serving/model_repository_scanner.h"
#include "serving/serving_metrics.h"

namespace s3ml::serving {

struct ModelStoreOptions {
  std::string repository;
  LoadedModelOptions load;
};

struct PollReport {
  std::vector<std::string> loaded;      // "model/version"
  std::vector<std::string> unloaded;    // "model/version"
  std::vector<ScanProblem> failed;      // versions that failed to load now (path "model/version")
  std::vector<ScanProblem> scan_problems;
};

class ModelStore {
 public:
  // `metrics` may be null; otherwise it must outlive the store.
  ModelStore(ModelStoreOptions options, ServingMetrics* metrics);
  ~ModelStore();
  ModelStore(const ModelStore&) = delete;
  ModelStore& operator=(const ModelStore&) = delete;

  // The model keys from provisioning (name -> 32-byte key); replaces the previous set. Versions
  // that failed to load are retried by the next Poll().
  void SetModelKeys(std::map<std::string, crypto::SecretBytes> keys);

  // One scan-and-reconcile step. Errors only when the repository root cannot be read (then
  // nothing is unloaded). Concurrent calls (poller, renewal) run one after the other.
  Result<PollReport> Poll();

  // The loaded version, or the highest loaded version when `version` is nullopt. kNotFound
  // naming the model (and version) otherwise.
  Result<std::shared_ptr<LoadedModel>> Find(std::string_view model, std::optional<int64_t> version) const;
  // Loaded versions of `model`, ascending (empty when none).
  std::vector<int64_t> Versions(std::string_view model) const;
  // Every loaded version.
  std::vector<std::shared_ptr<LoadedModel>> All() const;
  size_t loaded_count() const;

  // Why the last attempt to load model/version failed, if it did.
  std::optional<std::string> LoadError(std::string_view model, int64_t version) const;

  // Stops every version (finishing queued requests) and unloads them all.
  void UnloadAll();

 private:
  using Key = std::pair<std::string, int64_t>;
  struct Failure {
    ServableVersion servable;
    uint64_t key_generation = 0;
    std::string reason;
  };
  void Unload(const Key& key);

  const ModelStoreOptions options_;
  ServingMetrics* const metrics_;

  std::mutex poll_mu_;  // serialises Poll()

  // Guards keys_ and failures_; taken only by Poll/SetModelKeys/LoadError.
  mutable std::mutex keys_mu_;
  std::map<std::string, crypto::SecretBytes, std::less<>> keys_;
  uint64_t key_generation_ = 0;
  std::map<Key, Failure> failures_;

  // Guards loaded_ (read per request).
  mutable std::mutex loaded_mu_;
  std::map<Key, std::shared_ptr<LoadedModel>> loaded_;
};

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_MODEL_STORE_H_
