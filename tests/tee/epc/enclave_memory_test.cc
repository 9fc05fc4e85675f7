#include "tee/epc/enclave_memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "tests/tee/epc/epc_test_host.h"

namespace s3ml::tee::epc {
namespace {

constexpr size_t kPage = kEpcPageSize;

struct Fixture {
  TestHost host_name;
  std::shared_ptr<EpcHost> host;
  std::unique_ptr<EnclaveMemory> region;

  Fixture(uint64_t capacity, size_t region_bytes) {
    auto h = EpcHost::Attach(host_name.id(), TestHost::Options(capacity));
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    host = *h;
    host_name.Unlink();
    auto r = EnclaveMemory::Create(host, region_bytes);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    region = std::move(*r);
  }
};

TEST(EnclaveMemoryTest, RandomAccessSurvivesEvictionByteForByte) {
  Fixture f(/*capacity=*/16, /*region=*/1 << 20);
  std::vector<uint8_t> reference(f.region->size());
  std::mt19937_64 rng(42);
  for (auto& b : reference) b = static_cast<uint8_t>(rng());
  std::memcpy(f.region->data(), reference.data(), reference.size());
  std::uniform_int_distribution<size_t> offset(0, reference.size() - 64);
  for (int i = 0; i < 20000; ++i) {
    const size_t at = offset(rng);
    if (i % 2 == 0) {
      const uint8_t v = static_cast<uint8_t>(rng());
      std::memset(f.region->data() + at, v, 64);
      std::memset(reference.data() + at, v, 64);
    } else {
      ASSERT_EQ(0, std::memcmp(f.region->data() + at, reference.data() + at, 64)) << "offset " << at;
    }
  }
  EXPECT_EQ(0, std::memcmp(f.region->data(), reference.data(), reference.size()));
  const RegionStats s = f.region->stats();
  EXPECT_GT(s.pages_evicted, 1000u);
  EXPECT_GT(s.pages_loaded, 1000u);
  EXPECT_LE(f.host->segment().resident_peak.load(), 16u);
  EXPECT_EQ(f.host->segment().resident_pages.load(), 16u);
}

TEST(EnclaveMemoryTest, CountersMatchFaultsAndEvictions) {
  Fixture f(/*capacity=*/16, /*region=*/32 * kPage);
  for (size_t p = 0; p < 32; ++p) f.region->data()[p * kPage] = static_cast<uint8_t>(p + 1);
  RegionStats s = f.region->stats();
  EXPECT_EQ(s.first_touches, 32u);
  EXPECT_EQ(s.pages_evicted, 16u);  // every first touch beyond capacity evicts exactly one page
  EXPECT_EQ(s.pages_loaded, 0u);
  EXPECT_EQ(s.resident_pages, 16u);

  for (size_t p = 0; p < 32; ++p) EXPECT_EQ(f.region->data()[p * kPage], p + 1) << "page " << p;
  s = f.region->stats();
  EXPECT_GE(s.pages_loaded, 16u);                   // at least the 16 pages evicted above
  EXPECT_EQ(s.pages_evicted, 16u + s.pages_loaded);  // the host is full: each load evicts one page
  EXPECT_EQ(s.resident_pages, s.first_touches + s.pages_loaded - s.pages_evicted);

  // Host and slot counters agree with the region's.
  EXPECT_EQ(f.host->segment().pages_evicted_total.load(), s.pages_evicted);
  EXPECT_EQ(f.host->segment().pages_loaded_total.load(), s.pages_loaded);
  EXPECT_EQ(f.host->slot().pages_evicted.load(), s.pages_evicted);
  EXPECT_EQ(f.host->slot().pages_loaded.load(), s.pages_loaded);
  EXPECT_EQ(f.host->slot().resident_pages.load(), 16u);
}

TEST(EnclaveMemoryTest, NoPressureMeansNoEvictions) {
  Fixture f(/*capacity=*/1000, /*region=*/100 * kPage);
  for (int round = 0; round < 5; ++round) {
    for (size_t i = 0; i < f.region->size(); i += 512) f.region->data()[i] = static_cast<uint8_t>(i + round);
  }
  const RegionStats s = f.region->stats();
  EXPECT_EQ(s.pages_evicted, 0u);
  EXPECT_EQ(s.pages_loaded, 0u);
  EXPECT_EQ(s.first_touches, 100u);
  EXPECT_EQ(f.host->segment().pages_evicted_total.load(), 0u);
  EXPECT_EQ(f.host->segment().resident_pages.load(), 100u);
}

TEST(EnclaveMemoryTest, FirstTouchIsAZeroPage) {
  Fixture f(/*capacity=*/4, /*region=*/8 * kPage);
  for (size_t i = 0; i < f.region->size(); ++i) ASSERT_EQ(f.region->data()[i], 0) << "byte " << i;
}

TEST(EnclaveMemoryTest, ThreadsHammeringOneRegionKeepDataIntact) {
  constexpr size_t kPages = 256;
  constexpr int kThreads = 4;
  Fixture f(/*capacity=*/16, kPages * kPage);
  // Shared read-only pattern in the first half; each thread owns the interleaved pages of the second.
  for (size_t i = 0; i < kPages / 2 * kPage; i += 8) {
    uint64_t v = i * 2654435761u;
    std::memcpy(f.region->data() + i, &v, 8);
  }
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      std::vector<uint64_t> mine(kPages / 2, 0);
      for (int i = 0; i < 5000; ++i) {
        const size_t own = (rng() % (kPages / 2 / kThreads)) * kThreads + t;  // page index in 2nd half
        uint8_t* page = f.region->data() + (kPages / 2 + own) * kPage;
        uint64_t got;
        std::memcpy(&got, page + (own % 500) * 8, 8);
        if (got != mine[own]) failures.fetch_add(1);
        mine[own] = rng();
        std::memcpy(page + (own % 500) * 8, &mine[own], 8);
        const size_t shared = (rng() % (kPages / 2 * kPage / 8)) * 8;
        std::memcpy(&got, f.region->data() + shared, 8);
        if (got != shared * 2654435761u) failures.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  const RegionStats s = f.region->stats();
  EXPECT_GT(s.pages_evicted, 100u);
  EXPECT_LE(f.host->segment().resident_peak.load(), 16u);
}

TEST(EnclaveMemoryTest, TwoRegionsOfOneEnclaveShareTheCapacity) {
  Fixture f(/*capacity=*/8, /*region=*/16 * kPage);
  auto second = EnclaveMemory::Create(f.host, 16 * kPage);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  for (size_t p = 0; p < 16; ++p) {
    f.region->data()[p * kPage] = static_cast<uint8_t>(p);
    (*second)->data()[p * kPage] = static_cast<uint8_t>(100 + p);
  }
  for (size_t p = 0; p < 16; ++p) {
    EXPECT_EQ(f.region->data()[p * kPage], p);
    EXPECT_EQ((*second)->data()[p * kPage], 100 + p);
  }
  EXPECT_LE(f.host->segment().resident_peak.load(), 8u);
  second->reset();
  EXPECT_EQ(f.host->slot().resident_pages.load(), f.region->stats().resident_pages);
}

TEST(EnclaveMemoryTest, DestroyingARegionReturnsItsPages) {
  Fixture f(/*capacity=*/64, /*region=*/32 * kPage);
  std::memset(f.region->data(), 1, f.region->size());
  EXPECT_EQ(f.host->segment().resident_pages.load(), 32u);
  f.region.reset();
  EXPECT_EQ(f.host->segment().resident_pages.load(), 0u);
  EXPECT_EQ(f.host->slot().resident_pages.load(), 0u);
}

TEST(EnclaveMemoryTest, RefusesBadSizes) {
  TestHost name;
  auto host = EpcHost::Attach(name.id(), TestHost::Options(16));
  ASSERT_TRUE(host.ok());
  auto zero = EnclaveMemory::Create(*host, 0);
  EXPECT_EQ(zero.status().code(), StatusCode::kInvalidArgument);
  auto huge = EnclaveMemory::Create(*host, size_t{1} << 40);
  EXPECT_EQ(huge.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(huge.status().message().find("64 GiB"), std::string::npos);
  auto no_host = EnclaveMemory::Create(nullptr, 4096);
  EXPECT_EQ(no_host.status().code(), StatusCode::kInvalidArgument);
}

TEST(EnclaveMemoryTest, FaultsOutsideRegionsStillCrash) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Fixture f(/*capacity=*/4, /*region=*/4 * kPage);
  f.region->data()[0] = 1;
  EXPECT_DEATH(
      {
        volatile int* null_pointer = nullptr;
        *null_pointer = 1;
      },
      "");
}

}  // namespace
}  // namespace s3ml::tee::epc
