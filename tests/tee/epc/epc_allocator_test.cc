#include "tee/epc/epc_allocator.h"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

#include "tests/tee/epc/epc_test_host.h"

namespace s3ml::tee::epc {
namespace {

class EpcAllocatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto h = EpcHost::Attach(name_.id(), TestHost::Options(8));
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    name_.Unlink();
    auto r = EnclaveMemory::Create(*h, 64 * kEpcPageSize);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    region_ = std::move(*r);
    allocator_ = std::make_unique<EpcAllocator>(region_.get());
  }
  TestHost name_;
  std::unique_ptr<EnclaveMemory> region_;
  std::unique_ptr<EpcAllocator> allocator_;
};

TEST_F(EpcAllocatorTest, HonoursAlignmentAndStaysInsideTheRegion) {
  for (size_t alignment : {1, 8, 16, 64, 4096, 16384}) {
    void* p = allocator_->Allocate(100, alignment);
    ASSERT_NE(p, nullptr) << alignment;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % alignment, 0u) << alignment;
    EXPECT_TRUE(region_->Contains(p));
    EXPECT_TRUE(region_->Contains(static_cast<uint8_t*>(p) + 99));
  }
}

TEST_F(EpcAllocatorTest, RefusesInvalidRequests) {
  EXPECT_EQ(allocator_->Allocate(0, 16), nullptr);
  EXPECT_EQ(allocator_->Allocate(16, 3), nullptr);  // not a power of two
  EXPECT_EQ(allocator_->Allocate(region_->size() + 1, 16), nullptr);
  EXPECT_EQ(allocator_->Allocate(SIZE_MAX, 16), nullptr);
}

TEST_F(EpcAllocatorTest, ExhaustionAndCoalescing) {
  std::vector<void*> blocks;
  for (int i = 0; i < 64; ++i) {
    void* p = allocator_->Allocate(kEpcPageSize, kEpcPageSize);
    ASSERT_NE(p, nullptr) << i;
    blocks.push_back(p);
  }
  EXPECT_EQ(allocator_->Allocate(1, 1), nullptr);
  EXPECT_EQ(allocator_->bytes_in_use(), region_->size());
  // Free in an interleaved order; the ranges must merge back into one.
  for (size_t i = 0; i < blocks.size(); i += 2) allocator_->Free(blocks[i]);
  EXPECT_EQ(allocator_->Allocate(2 * kEpcPageSize, 1), nullptr);
  for (size_t i = 1; i < blocks.size(); i += 2) allocator_->Free(blocks[i]);
  EXPECT_EQ(allocator_->bytes_in_use(), 0u);
  void* all = allocator_->Allocate(region_->size(), kEpcPageSize);
  EXPECT_EQ(all, region_->data());
  allocator_->Free(all);
  allocator_->Free(nullptr);
}

TEST_F(EpcAllocatorTest, AllocatedDataSurvivesPaging) {
  // 8 resident pages for 64 pages of buffers: the data must come back after eviction.
  std::vector<uint8_t*> buffers;
  for (int i = 0; i < 30; ++i) {
    auto* p = static_cast<uint8_t*>(allocator_->Allocate(6000, 64));
    ASSERT_NE(p, nullptr);
    std::memset(p, i + 1, 6000);
    buffers.push_back(p);
  }
  for (int i = 0; i < 30; ++i) {
    for (size_t j = 0; j < 6000; j += 97) ASSERT_EQ(buffers[i][j], i + 1) << i << " " << j;
  }
  EXPECT_GT(region_->stats().pages_loaded, 0u);
}

TEST_F(EpcAllocatorTest, ThreadSafe) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        auto* p = static_cast<uint8_t*>(allocator_->Allocate(256 + 16 * t, 16));
        if (p == nullptr) {
          failures.fetch_add(1);
          continue;
        }
        allocator_->Free(p);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(allocator_->bytes_in_use(), 0u);
}

TEST_F(EpcAllocatorTest, FreeingAForeignPointerAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  int local = 0;
  EXPECT_DEATH(allocator_->Free(&local), "did not allocate");
  void* p = allocator_->Allocate(64, 16);
  allocator_->Free(p);
  EXPECT_DEATH(allocator_->Free(p), "did not allocate");
}

}  // namespace
}  // namespace s3ml::tee::epc
