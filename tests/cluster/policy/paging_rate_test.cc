#include "cluster/paging_rate.h"

#include <gtest/gtest.h>

namespace s3ml::cluster {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;

TEST(PagingRateTest, HostAndEnclaveRatesOverTheInterval) {
  PagingSample a{10 * kSecond, {1000, 400}, {{"7/server", {100, 50}}, {"8/noise", {900, 350}}}};
  PagingSample b{12 * kSecond, {3000, 1400}, {{"7/server", {100, 250}}, {"8/noise", {2900, 1150}}}};
  auto rates = ComputePagingRates(a, b);
  ASSERT_TRUE(rates.ok()) << rates.status().ToString();
  EXPECT_DOUBLE_EQ(rates->interval_seconds, 2.0);
  EXPECT_DOUBLE_EQ(rates->host.evicted_per_second, 1000.0);
  EXPECT_DOUBLE_EQ(rates->host.loaded_per_second, 500.0);
  EXPECT_DOUBLE_EQ(rates->host.total_per_second(), 1500.0);
  ASSERT_EQ(rates->enclaves.size(), 2u);
  EXPECT_DOUBLE_EQ(rates->enclaves["7/server"].evicted_per_second, 0.0);
  EXPECT_DOUBLE_EQ(rates->enclaves["7/server"].loaded_per_second, 100.0);
  EXPECT_DOUBLE_EQ(rates->enclaves["8/noise"].total_per_second(), 1400.0);
}

TEST(PagingRateTest, SubSecondIntervals) {
  PagingSample a{0, {0, 0}, {}};
  PagingSample b{250'000'000, {10, 5}, {}};
  auto rates = ComputePagingRates(a, b);
  ASSERT_TRUE(rates.ok());
  EXPECT_DOUBLE_EQ(rates->host.evicted_per_second, 40.0);
  EXPECT_DOUBLE_EQ(rates->host.loaded_per_second, 20.0);
}

TEST(PagingRateTest, CounterThatWentDownWasReset) {
  EXPECT_EQ(CounterIncrease(100, 150), 50u);
  EXPECT_EQ(CounterIncrease(100, 100), 0u);
  EXPECT_EQ(CounterIncrease(100, 30), 30u);  // reset to zero, then 30 more
  EXPECT_EQ(CounterIncrease(UINT64_MAX, 0), 0u);
  // A recreated host segment: both host counters restart.
  PagingSample a{kSecond, {5000, 5000}, {}};
  PagingSample b{2 * kSecond, {20, 10}, {}};
  auto rates = ComputePagingRates(a, b);
  ASSERT_TRUE(rates.ok());
  EXPECT_DOUBLE_EQ(rates->host.evicted_per_second, 20.0);
  EXPECT_DOUBLE_EQ(rates->host.loaded_per_second, 10.0);
}

TEST(PagingRateTest, NewEnclaveCountsFromZeroAndGoneEnclaveIsDropped) {
  PagingSample a{0, {0, 0}, {{"1/old", {10, 10}}}};
  PagingSample b{kSecond, {0, 0}, {{"2/new", {30, 7}}}};
  auto rates = ComputePagingRates(a, b);
  ASSERT_TRUE(rates.ok());
  ASSERT_EQ(rates->enclaves.size(), 1u);
  EXPECT_DOUBLE_EQ(rates->enclaves["2/new"].evicted_per_second, 30.0);
  EXPECT_DOUBLE_EQ(rates->enclaves["2/new"].loaded_per_second, 7.0);
}

TEST(PagingRateTest, SamplesOutOfOrderAreRefused) {
  PagingSample a{5 * kSecond, {}, {}};
  PagingSample same = a;
  PagingSample earlier{4 * kSecond, {}, {}};
  EXPECT_EQ(ComputePagingRates(a, same).status().code(), StatusCode::kInvalidArgument);
  auto backwards = ComputePagingRates(a, earlier);
  EXPECT_EQ(backwards.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(backwards.status().message().find("out of order"), std::string::npos);
}

TEST(PagingRateTest, SampleFromASimulatedHostSnapshot) {
  tee::epc::HostSnapshot snap;
  snap.pages_evicted_total = 70;
  snap.pages_loaded_total = 30;
  snap.enclaves = {{12, "server", true, 5, 60, 25}, {13, "gone", false, 0, 10, 5}};
  const PagingSample sample = PagingSampleFromSnapshot(snap, 42);
  EXPECT_EQ(sample.monotonic_nanos, 42u);
  EXPECT_EQ(sample.host.evicted, 70u);
  EXPECT_EQ(sample.host.loaded, 30u);
  ASSERT_EQ(sample.enclaves.size(), 1u);
  EXPECT_EQ(sample.enclaves.at(EnclaveRateKey(12, "server")).evicted, 60u);
  EXPECT_EQ(EnclaveRateKey(12, "server"), "12/server");
}

}  // namespace
}  // namespace s3ml::cluster
