// epc_bench: what the simulated EPC costs, and the paging cost curve that EPC-aware balancing is
// about (DESIGN.md "Simulated EPC and EPC metrics").
//   page operations: median cost of a first-touch fault (zero page), an eviction (EWB: seal into
//                    the backing store + free), a load (fault + ELDU: decrypt + verify) and a
//                    thrashing access (EWB + ELDU), without the modelled SGX delay
//   working-set curve: one enclave on a host of 2048 pages (8 MiB) touching pages of a working set
//                    of 50%..300% of the capacity, each page once per sweep in a new random order
//                    (no locality at all: the worst case for any eviction policy); median and p99 latency
//                    per access, evictions and loads per access; with no modelled delay and with
//                    the default 40,000 cycles per EWB/ELDU
// Prints a summary after Google Benchmark's table: the medians, and each working set's median
// latency as a ratio to the 50% working set (the baseline, all resident) measured in this process.
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tee/epc/enclave_memory.h"

namespace s3ml::tee::epc {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kCapacityPages = 2048;

std::map<std::string, double>& Summary() {
  static std::map<std::string, double> summary;
  return summary;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

template <typename F>
double TimeMicros(F f) {
  const auto t0 = Clock::now();
  f();
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

// A uniquely named simulated host for one benchmark, removed at the end.
class BenchHost {
 public:
  BenchHost(uint64_t capacity_pages, uint64_t delay_cycles) {
    static std::atomic<int> counter{0};
    id_ = "bench-epc-" + std::to_string(getpid()) + "-" + std::to_string(counter.fetch_add(1));
    EpcHostOptions options;
    options.capacity_pages = capacity_pages;
    options.page_delay_cycles = delay_cycles;
    options.enclave_name = "epc-bench";
    host_ = EpcHost::Attach(id_, options).value();
  }
  ~BenchHost() {
    host_.reset();
    (void)EpcHost::Remove(id_);
  }
  const std::shared_ptr<EpcHost>& host() const { return host_; }

 private:
  std::string id_;
  std::shared_ptr<EpcHost> host_;
};

// Per-page operation costs (what tests/tee/epc's hand-run page_cost measured), no modelled delay.
void BM_PageOperations(benchmark::State& state) {
  const size_t pages = 2048;
  std::vector<double> first_touch, evict, load, thrash;
  for (auto _ : state) {
    {
      BenchHost bench(pages, 0);
      auto region = EnclaveMemory::Create(bench.host(), pages * kEpcPageSize).value();
      volatile uint8_t* data = region->data();
      for (size_t p = 0; p < pages; ++p) first_touch.push_back(TimeMicros([&] { data[p * kEpcPageSize] = 1; }));
      {
        std::lock_guard<std::mutex> lock(bench.host()->mutex());
        region->EvictOnePageLocked();  // the first sweep of the clock clears every reference bit
        for (size_t p = 1; p < pages; ++p) evict.push_back(TimeMicros([&] { region->EvictOnePageLocked(); }));
      }
      // Those evictions bypassed the host's accounting; return their places.
      for (size_t p = 0; p < pages; ++p) bench.host()->ReleasePage();
      for (size_t p = 0; p < pages; ++p) load.push_back(TimeMicros([&] { (void)data[p * kEpcPageSize]; }));
    }
    {
      // Capacity 16 pages, sequential sweeps over 256: every access evicts one page and loads one.
      BenchHost bench(16, 0);
      auto region = EnclaveMemory::Create(bench.host(), 256 * kEpcPageSize).value();
      volatile uint8_t* data = region->data();
      for (size_t p = 0; p < 256; ++p) data[p * kEpcPageSize] = 1;
      for (int round = 0; round < 8; ++round) {
        for (size_t p = 0; p < 256; ++p) thrash.push_back(TimeMicros([&] { (void)data[p * kEpcPageSize]; }));
      }
    }
  }
  state.counters["first_touch_us"] = Percentile(first_touch, 0.5);
  state.counters["ewb_us"] = Percentile(evict, 0.5);
  state.counters["eldu_us"] = Percentile(load, 0.5);
  state.counters["thrash_us"] = Percentile(thrash, 0.5);
  Summary()["page op: first-touch fault median us"] = Percentile(first_touch, 0.5);
  Summary()["page op: EWB (seal + free) median us"] = Percentile(evict, 0.5);
  Summary()["page op: ELDU (fault + decrypt) median us"] = Percentile(load, 0.5);
  Summary()["page op: thrashing access median us"] = Percentile(thrash, 0.5);
}

// One enclave touching a working set of `ratio`% of the host's capacity, every page once per
// iteration in a freshly shuffled order.
void BM_WorkingSet(benchmark::State& state) {
  const int64_t ratio = state.range(0);
  const uint64_t delay = static_cast<uint64_t>(state.range(1));
  const size_t pages = static_cast<size_t>(kCapacityPages * ratio / 100);
  BenchHost bench(kCapacityPages, delay);
  auto region = EnclaveMemory::Create(bench.host(), pages * kEpcPageSize).value();
  volatile uint8_t* data = region->data();
  for (size_t p = 0; p < pages; ++p) data[p * kEpcPageSize] = 1;  // warm up: every page exists
  std::mt19937_64 rng(42);
  std::vector<size_t> order(pages);  // each iteration: every page of the working set once, shuffled
  for (size_t p = 0; p < pages; ++p) order[p] = p;
  const RegionStats before = region->stats();
  std::vector<double> per_access;
  per_access.reserve(order.size() * 8);
  for (auto _ : state) {
    std::shuffle(order.begin(), order.end(), rng);
    for (size_t p : order) {
      per_access.push_back(TimeMicros([&] { data[p * kEpcPageSize] = static_cast<uint8_t>(data[p * kEpcPageSize] + 1); }));
    }
  }
  const RegionStats after = region->stats();
  const double accesses = static_cast<double>(per_access.size());
  state.SetItemsProcessed(static_cast<int64_t>(per_access.size()));
  state.counters["p50_us"] = Percentile(per_access, 0.5);
  state.counters["p99_us"] = Percentile(per_access, 0.99);
  state.counters["ewb_per_access"] = static_cast<double>(after.pages_evicted - before.pages_evicted) / accesses;
  state.counters["eldu_per_access"] = static_cast<double>(after.pages_loaded - before.pages_loaded) / accesses;
  const std::string key = "working set " + std::string(ratio < 100 ? " " : "") + std::to_string(ratio) +
                          "% delay " + std::to_string(delay);
  Summary()[key + " p50 us"] = Percentile(per_access, 0.5);
  Summary()[key + " p99 us"] = Percentile(per_access, 0.99);
}

BENCHMARK(BM_PageOperations)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WorkingSet)
    ->ArgsProduct({{50, 90, 100, 110, 125, 150, 200, 300}, {0, 40000}})
    ->Iterations(4)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace s3ml::tee::epc

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  auto& s = s3ml::tee::epc::Summary();
  std::printf("\nepc_bench summary (host capacity %llu pages; latency per page access)\n",
              static_cast<unsigned long long>(s3ml::tee::epc::kCapacityPages));
  for (const auto& [name, value] : s) std::printf("  %-48s %10.2f\n", name.c_str(), value);
  for (const char* delay : {"0", "40000"}) {
    const std::string base = std::string("working set  50% delay ") + delay + " p50 us";
    if (s.count(base) == 0 || s[base] <= 0) continue;
    for (int ratio : {90, 100, 110, 125, 150, 200, 300}) {
      const std::string key = "working set " + std::string(ratio < 100 ? " " : "") + std::to_string(ratio) +
                              "% delay " + delay + " p50 us";
      if (s.count(key) == 0) continue;
      std::printf("  median ratio %3d%% / 50%% working set (delay %s) %10.1f\n", ratio, delay, s[key] / s[base]);
    }
  }
  return 0;
}
