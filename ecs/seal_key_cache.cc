#include "ecs/seal_key_cache.h"

namespace s3ml::ecs {

Result<crypto::SecretBytes> SealKeyCache::GetSealKey(tee::SealKeyPolicy policy, std::string_view label) {
  const auto id = std::make_pair(static_cast<int>(policy), std::string(label));
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = keys_.find(id);
    if (it != keys_.end()) return it->second.Clone();
  }
  // Failures (e.g. the quoting daemon unreachable) are not cached: the next call asks again.
  S3ML_ASSIGN_OR_RETURN(crypto::SecretBytes key, platform_.GetSealKey(policy, label));
  std::lock_guard<std::mutex> lock(mu_);
  keys_.insert_or_assign(id, key.Clone());
  return key;
}

}  // namespace s3ml::ecs
