// Hand-run measurement (not a test): median cost per page of the simulated EPC's operations.
//   epc_page_cost [pages=4096] [delay_cycles=0]
// Prints: first-touch fault, eviction (EWB: seal + free), load (fault + ELDU: decrypt + verify),
// and a thrashing access (load that must evict first).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tee/epc/enclave_memory.h"

using namespace s3ml::tee::epc;
using Clock = std::chrono::steady_clock;

namespace {

double MedianMicros(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <typename F>
double TimeMicros(F f) {
  const auto t0 = Clock::now();
  f();
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const size_t pages = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 4096;
  const uint64_t delay = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 0;
  const std::string host_id = "page-cost-" + std::to_string(getpid());
  EpcHostOptions options;
  options.capacity_pages = pages;
  options.page_delay_cycles = delay;
  auto host = EpcHost::Attach(host_id, options).value();
  auto region = EnclaveMemory::Create(host, pages * kEpcPageSize).value();
  volatile uint8_t* data = region->data();

  std::vector<double> first_touch, evict, load, thrash;
  for (size_t p = 0; p < pages; ++p) first_touch.push_back(TimeMicros([&] { data[p * kEpcPageSize] = 1; }));
  {
    std::lock_guard<std::mutex> lock(host->mutex());
    region->EvictOnePageLocked();  // first sweep clears every reference bit
    for (size_t p = 1; p < pages; ++p) evict.push_back(TimeMicros([&] { region->EvictOnePageLocked(); }));
  }
  // Host accounting: those evictions happened behind the host's back; return their places.
  for (size_t p = 0; p < pages; ++p) host->ReleasePage();
  for (size_t p = 0; p < pages; ++p) load.push_back(TimeMicros([&] { (void)data[p * kEpcPageSize]; }));
  region.reset();

  // Thrashing: capacity 16 pages, sequential sweep over 256 pages: every access evicts and loads.
  const std::string thrash_id = host_id + "-thrash";
  options.capacity_pages = 16;
  auto host2 = EpcHost::Attach(thrash_id, options).value();
  auto region2 = EnclaveMemory::Create(host2, 256 * kEpcPageSize).value();
  volatile uint8_t* d2 = region2->data();
  for (size_t p = 0; p < 256; ++p) d2[p * kEpcPageSize] = 1;
  for (int round = 0; round < 8; ++round) {
    for (size_t p = 0; p < 256; ++p) thrash.push_back(TimeMicros([&] { (void)d2[p * kEpcPageSize]; }));
  }

  std::printf("pages=%zu delay_cycles=%llu\n", pages, static_cast<unsigned long long>(delay));
  std::printf("first-touch fault (zero page)      median %.2f us\n", MedianMicros(first_touch));
  std::printf("eviction EWB (seal + free)         median %.2f us\n", MedianMicros(evict));
  std::printf("load ELDU (fault + decrypt+verify) median %.2f us\n", MedianMicros(load));
  std::printf("thrashing access (EWB + ELDU)      median %.2f us  (%llu evictions, %llu loads)\n",
              MedianMicros(thrash), static_cast<unsigned long long>(region2->stats().pages_evicted),
              static_cast<unsigned long long>(region2->stats().pages_loaded));
  region2.reset();
  host.reset();
  host2.reset();
  (void)EpcHost::Remove(host_id);
  (void)EpcHost::Remove(thrash_id);
  return 0;
}
