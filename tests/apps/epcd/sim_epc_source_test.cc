#include "apps/s3ml-epcd/sim_epc_source.h"

#include <unistd.h>

#include <gtest/gtest.h>

#include "tee/epc/enclave_memory.h"
#include "tests/tee/epc/epc_test_host.h"

namespace s3ml::epcd {
namespace {

using tee::epc::EnclaveMemory;
using tee::epc::EpcHost;
using tee::epc::kEpcPageSize;
using tee::epc::TestHost;

// Touches every page of the region `sweeps` times (writes, so pages are really dirtied).
void Sweep(EnclaveMemory& region, int sweeps) {
  volatile uint8_t* data = region.data();
  for (int s = 0; s < sweeps; ++s) {
    for (size_t p = 0; p < region.page_count(); ++p) data[p * kEpcPageSize] = static_cast<uint8_t>(s + 1);
  }
}

TEST(SimEpcSourceTest, HostThatDoesNotExistYetIsNotFound) {
  TestHost host;
  auto source = SimEpcSource::Create(host.id());
  ASSERT_TRUE(source.ok());
  EXPECT_EQ((*source)->Read().status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*source)->kind(), "sim");
}

TEST(SimEpcSourceTest, BadHostIdIsRefused) {
  EXPECT_EQ(SimEpcSource::Create("../etc").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SimEpcSource::Create("").status().code(), StatusCode::kInvalidArgument);
}

TEST(SimEpcSourceTest, ReadsCountersOfARealSimulatedHostWithPaging) {
  TestHost host;
  auto epc = EpcHost::Attach(host.id(), TestHost::Options(16, "reader-test"));
  ASSERT_TRUE(epc.ok()) << epc.status().ToString();
  auto region = EnclaveMemory::Create(*epc, 64 * kEpcPageSize);
  ASSERT_TRUE(region.ok()) << region.status().ToString();
  auto source = SimEpcSource::Create(host.id());
  ASSERT_TRUE(source.ok());

  auto idle = (*source)->Read();
  ASSERT_TRUE(idle.ok()) << idle.status().ToString();
  EXPECT_EQ(idle->capacity_bytes, 16 * kEpcPageSize);
  EXPECT_EQ(idle->pages_evicted_total, 0u);
  EXPECT_EQ(idle->pages_loaded_total, 0u);
  ASSERT_EQ(idle->enclaves.size(), 1u);
  EXPECT_EQ(idle->enclaves[0].pid, getpid());
  EXPECT_EQ(idle->enclaves[0].name, "reader-test");

  Sweep(**region, 3);  // 64 pages through 16 places: evictions, then loads on the later sweeps
  auto busy = (*source)->Read();
  ASSERT_TRUE(busy.ok());
  EXPECT_GE(busy->pages_evicted_total, 48u);
  EXPECT_GT(busy->pages_loaded_total, 0u);
  ASSERT_TRUE(busy->resident_bytes.has_value());
  EXPECT_GT(*busy->resident_bytes, 0u);
  EXPECT_LE(*busy->resident_bytes, 17 * kEpcPageSize);  // capacity, plus at most one overcommitted page
  ASSERT_EQ(busy->enclaves.size(), 1u);
  // One enclave: its counters are the host's.
  EXPECT_EQ(busy->enclaves[0].pages_evicted, busy->pages_evicted_total);
  EXPECT_EQ(busy->enclaves[0].pages_loaded, busy->pages_loaded_total);
  EXPECT_EQ(busy->enclaves[0].resident_bytes, *busy->resident_bytes);
}

}  // namespace
}  // namespace s3ml::epcd
