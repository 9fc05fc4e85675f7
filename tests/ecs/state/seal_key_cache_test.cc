// SealKeyCache (ecs/seal_key_cache.h): one platform request per (policy, label), failures not
// cached, quotes passed through. The platform below is a counting stand-in for tee::Platform (it
// replaces the simulated quoting daemon round trip that the cache exists to avoid).
#include "ecs/seal_key_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace s3ml::ecs {
namespace {

class CountingPlatform : public tee::Platform {
 public:
  std::string_view name() const override { return "counting"; }
  Result<std::vector<uint8_t>> GetQuote(std::span<const uint8_t>) override {
    ++quotes;
    return std::vector<uint8_t>{1, 2, 3};
  }
  Result<crypto::SecretBytes> GetSealKey(tee::SealKeyPolicy policy, std::string_view label) override {
    ++seal_keys;
    if (fail) return Unavailable("quoting daemon down");
    crypto::SecretBytes key(32);
    key.data()[0] = static_cast<uint8_t>(policy);
    key.data()[1] = static_cast<uint8_t>(label.size());
    key.data()[2] = static_cast<uint8_t>(seal_keys);  // a new request would give another key
    return key;
  }
  Result<tee::Identity> SelfIdentity() override { return tee::Identity{}; }

  int seal_keys = 0;
  int quotes = 0;
  bool fail = false;
};

TEST(SealKeyCacheTest, AsksThePlatformOncePerPolicyAndLabel) {
  CountingPlatform platform;
  SealKeyCache cache(platform);
  auto a = cache.GetSealKey(tee::SealKeyPolicy::kMrSigner, "head");
  auto b = cache.GetSealKey(tee::SealKeyPolicy::kMrSigner, "head");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->Equals(b->span()));
  EXPECT_EQ(platform.seal_keys, 1);
  auto other_label = cache.GetSealKey(tee::SealKeyPolicy::kMrSigner, "state-key");
  auto other_policy = cache.GetSealKey(tee::SealKeyPolicy::kMrEnclave, "head");
  ASSERT_TRUE(other_label.ok() && other_policy.ok());
  EXPECT_FALSE(other_label->Equals(a->span()));
  EXPECT_FALSE(other_policy->Equals(a->span()));
  EXPECT_EQ(platform.seal_keys, 3);
}

TEST(SealKeyCacheTest, FailuresAreNotCachedAndQuotesPassThrough) {
  CountingPlatform platform;
  SealKeyCache cache(platform);
  platform.fail = true;
  EXPECT_EQ(cache.GetSealKey(tee::SealKeyPolicy::kMrSigner, "head").status().code(), StatusCode::kUnavailable);
  platform.fail = false;
  EXPECT_TRUE(cache.GetSealKey(tee::SealKeyPolicy::kMrSigner, "head").ok());
  EXPECT_EQ(platform.seal_keys, 2);
  std::vector<uint8_t> report_data(64, 0);
  EXPECT_TRUE(cache.GetQuote(report_data).ok());
  EXPECT_TRUE(cache.GetQuote(report_data).ok());
  EXPECT_EQ(platform.quotes, 2);
  EXPECT_EQ(cache.name(), "counting");
}

}  // namespace
}  // namespace s3ml::ecs
