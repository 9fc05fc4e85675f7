// SealKeyCache: a tee::Platform that remembers the seal keys it got, so that the StateStore asks
// the platform (on the simulated platform: a round trip to the quoting daemon; on Gramine: a file
// read) once per (policy, label) and process, not at every head or state write. Sound because a
// seal key is a pure function of enclave identity, host and label (tee/platform.h), which do not
// change while the process runs. Quotes and the identity pass through unchanged. The keys stay in
// enclave memory (SecretBytes, wiped with the cache). Thread-safe.
#ifndef S3ML_ECS_SEAL_KEY_CACHE_H_
#define S3ML_ECS_SEAL_KEY_CACHE_H_

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "tee/platform.h"

namespace s3ml::ecs {

class SealKeyCache : public tee::Platform {
 public:
  // `platform` must outlive the cache.
  explicit SealKeyCache(tee::Platform& platform) : platform_(platform) {}

  std::string_view name() const override { return platform_.name(); }
  Result<std::vector<uint8_t>> GetQuote(std::span<const uint8_t> report_data) override {
    return platform_.GetQuote(report_data);
  }
  Result<crypto::SecretBytes> GetSealKey(tee::SealKeyPolicy policy, std::string_view label) override;
  Result<tee::Identity> SelfIdentity() override { return platform_.SelfIdentity(); }

 private:
  tee::Platform& platform_;
  std::mutex mu_;
  std::map<std::pair<int, std::string>, crypto::SecretBytes> keys_;
};

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_SEAL_KEY_CACHE_H_
