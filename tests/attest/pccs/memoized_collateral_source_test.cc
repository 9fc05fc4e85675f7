// MemoizedCollateralSource (attest/memoized_collateral_source.h): asks its inner source once per
// platform key until the collateral's earliest nextUpdate, then again; never keeps failures or
// already-expired collateral; concurrent first uses make one fetch.
#include "attest/memoized_collateral_source.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "attest/collateral_cache.h"
#include "attest/dcap_verifier.h"
#include "tests/attest/sgx_samples.h"

namespace s3ml::attest {
namespace {

using testing::LoadSample;
using testing::SgxSample;

// Replaces a directory / PCCS source: answers with the sample's collateral (or `failure` when set)
// and counts how often it is asked.
class CountingSource final : public CollateralSource {
 public:
  explicit CountingSource(Collateral collateral) : collateral_(std::move(collateral)) {}
  Result<Collateral> CollateralFor(const SgxQuote&) override {
    ++calls;
    if (fail.load()) return Unavailable("pccs down");
    return collateral_;
  }
  std::atomic<int> calls{0};
  std::atomic<bool> fail{false};

 private:
  Collateral collateral_;
};

class MemoizedCollateralSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sample_ = LoadSample("automata");
    auto quote = ParseSgxQuote(sample_.quote);
    ASSERT_TRUE(quote.ok()) << quote.status().ToString();
    quote_ = std::move(quote).value();
    auto collateral = ParseCollateral(sample_.files);
    ASSERT_TRUE(collateral.ok()) << collateral.status().ToString();
    auto next_update = EarliestNextUpdate(*collateral);
    ASSERT_TRUE(next_update.ok()) << next_update.status().ToString();
    next_update_ = *next_update;
    inner_ = std::make_shared<CountingSource>(std::move(collateral).value());
    clock_ = std::make_unique<FixedClock>(sample_.inside);
    source_ = std::make_unique<MemoizedCollateralSource>(inner_, clock_.get());
  }

  SgxSample sample_;
  SgxQuote quote_;
  int64_t next_update_ = 0;
  std::shared_ptr<CountingSource> inner_;
  std::unique_ptr<FixedClock> clock_;
  std::unique_ptr<MemoizedCollateralSource> source_;
};

TEST_F(MemoizedCollateralSourceTest, AnswersFromMemoryUntilNextUpdateThenAsksAgain) {
  for (int i = 0; i < 3; ++i) {
    auto collateral = source_->CollateralFor(quote_);
    ASSERT_TRUE(collateral.ok()) << collateral.status().ToString();
    auto verified = VerifyDcapQuote(quote_, *collateral, TrustAnchors::IntelOnly(), sample_.inside);
    EXPECT_TRUE(verified.ok()) << verified.status().ToString();
  }
  EXPECT_EQ(inner_->calls.load(), 1);
  EXPECT_EQ(source_->stats().hits, 2u);
  EXPECT_EQ(source_->stats().fetches, 1u);

  clock_->Set(next_update_);  // still valid at the nextUpdate second itself
  ASSERT_TRUE(source_->CollateralFor(quote_).ok());
  EXPECT_EQ(inner_->calls.load(), 1);

  clock_->Set(next_update_ + 1);
  ASSERT_TRUE(source_->CollateralFor(quote_).ok());  // returned (the verifier refuses it as expired)
  EXPECT_EQ(inner_->calls.load(), 2);
  ASSERT_TRUE(source_->CollateralFor(quote_).ok());  // expired collateral is not kept
  EXPECT_EQ(inner_->calls.load(), 3);
}

TEST_F(MemoizedCollateralSourceTest, FailuresAreReturnedAndNotKept) {
  inner_->fail = true;
  auto refused = source_->CollateralFor(quote_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("pccs down"), std::string::npos) << refused.status().ToString();

  inner_->fail = false;
  ASSERT_TRUE(source_->CollateralFor(quote_).ok());
  ASSERT_TRUE(source_->CollateralFor(quote_).ok());
  EXPECT_EQ(inner_->calls.load(), 2);
}

TEST_F(MemoizedCollateralSourceTest, NoStaleCollateralWhenRefreshFails) {
  ASSERT_TRUE(source_->CollateralFor(quote_).ok());
  clock_->Set(next_update_ + 1);
  inner_->fail = true;
  EXPECT_EQ(source_->CollateralFor(quote_).status().code(), StatusCode::kUnavailable);
}

TEST_F(MemoizedCollateralSourceTest, ConcurrentFirstUsesMakeOneFetch) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        if (source_->CollateralFor(quote_).ok()) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 160);
  EXPECT_EQ(inner_->calls.load(), 1);
}

}  // namespace
}  // namespace s3ml::attest
