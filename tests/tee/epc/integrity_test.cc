// The backing store is untrusted host memory: altering, replaying or moving an evicted page must
// be caught when the page is loaded again, and the enclave must stop (an integrity fault).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "tee/epc/enclave_memory.h"
#include "tests/tee/epc/epc_test_host.h"

namespace s3ml::tee::epc {
namespace {

constexpr size_t kPage = kEpcPageSize;

class IntegrityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    // Capacity of one page: touching page 1 evicts page 0 and the other way round.
    auto h = EpcHost::Attach(name_.id(), TestHost::Options(1));
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    host_ = *h;
    name_.Unlink();
    auto r = EnclaveMemory::Create(host_, 2 * kPage);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    region_ = std::move(*r);
  }
  uint8_t* page(size_t i) { return region_->data() + i * kPage; }
  uint8_t* backing(size_t i) { return region_->untrusted_backing_store().data() + i * EnclaveMemory::kBackingPageSize; }
  // Writes `fill` into page 0 and evicts it by touching page 1.
  void WriteAndEvictPage0(uint8_t fill) {
    std::memset(page(0), fill, kPage);
    page(1)[0] = 1;
  }

  TestHost name_;
  std::shared_ptr<EpcHost> host_;
  std::unique_ptr<EnclaveMemory> region_;
};

TEST_F(IntegrityTest, UntouchedBackingStoreReloads) {
  WriteAndEvictPage0(0xab);
  EXPECT_EQ(region_->stats().pages_evicted, 1u);
  // The backing store holds ciphertext, not the page.
  EXPECT_NE(std::vector<uint8_t>(backing(0), backing(0) + kPage), std::vector<uint8_t>(kPage, 0xab));
  for (size_t i = 0; i < kPage; ++i) ASSERT_EQ(page(0)[i], 0xab);
  EXPECT_EQ(region_->stats().pages_loaded, 1u);
}

TEST_F(IntegrityTest, TamperedCiphertextIsFatal) {
  WriteAndEvictPage0(0x11);
  backing(0)[100] ^= 0x01;
  EXPECT_DEATH((void)*static_cast<volatile uint8_t*>(page(0)), "integrity fault: backing page 0");
}

TEST_F(IntegrityTest, TamperedTagIsFatal) {
  WriteAndEvictPage0(0x22);
  backing(0)[kPage + 3] ^= 0x80;
  EXPECT_DEATH((void)*static_cast<volatile uint8_t*>(page(0)), "integrity fault: backing page 0");
}

TEST_F(IntegrityTest, ReplayedOlderVersionIsFatal) {
  WriteAndEvictPage0(0x33);
  std::vector<uint8_t> old(backing(0), backing(0) + EnclaveMemory::kBackingPageSize);
  ASSERT_EQ(page(0)[0], 0x33);  // reload (evicts page 1)
  WriteAndEvictPage0(0x44);     // version 2 in the backing store
  std::memcpy(backing(0), old.data(), old.size());
  EXPECT_DEATH((void)*static_cast<volatile uint8_t*>(page(0)), "integrity fault: backing page 0");
}

TEST_F(IntegrityTest, CurrentVersionAfterRewriteReloads) {
  WriteAndEvictPage0(0x33);
  ASSERT_EQ(page(0)[0], 0x33);
  WriteAndEvictPage0(0x44);
  EXPECT_EQ(page(0)[kPage - 1], 0x44);
}

TEST_F(IntegrityTest, PageMovedFromAnotherIndexIsFatal) {
  std::memset(page(1), 0x55, kPage);
  std::memset(page(0), 0x66, kPage);  // evicts page 1 at version 1
  page(1)[0] = 0x55;                  // reloads page 1, evicts page 0 at version 1
  // Both backing slots now hold a valid version-1 page under the same key: swap one in for the other.
  std::memcpy(backing(0), backing(1), EnclaveMemory::kBackingPageSize);
  EXPECT_DEATH((void)*static_cast<volatile uint8_t*>(page(0)), "integrity fault: backing page 0");
}

}  // namespace
}  // namespace s3ml::tee::epc
