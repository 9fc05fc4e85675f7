#include "cluster/paging_rate.h"

namespace s3ml::cluster {
namespace {

PageRate RateOf(const PageCounters& before, const PageCounters& after, double seconds) {
  PageRate rate;
  rate.evicted_per_second = static_cast<double>(CounterIncrease(before.evicted, after.evicted)) / seconds;
  rate.loaded_per_second = static_cast<double>(CounterIncrease(before.loaded, after.loaded)) / seconds;
  return rate;
}

}  // namespace

std::string EnclaveRateKey(int32_t pid, std::string_view name) {
  return std::to_string(pid) + "/" + std::string(name);
}

PagingSample PagingSampleFromSnapshot(const tee::epc::HostSnapshot& snapshot, uint64_t now_nanos) {
  PagingSample sample;
  sample.monotonic_nanos = now_nanos;
  sample.host = {snapshot.pages_evicted_total, snapshot.pages_loaded_total};
  for (const tee::epc::EnclaveRow& row : snapshot.enclaves) {
    if (row.alive) sample.enclaves[EnclaveRateKey(row.pid, row.name)] = {row.pages_evicted, row.pages_loaded};
  }
  return sample;
}

uint64_t CounterIncrease(uint64_t before, uint64_t after) { return after >= before ? after - before : after; }

Result<PagingRates> ComputePagingRates(const PagingSample& before, const PagingSample& after) {
  if (after.monotonic_nanos <= before.monotonic_nanos) {
    return InvalidArgument("paging samples out of order: later sample at " + std::to_string(after.monotonic_nanos) +
                           " ns is not after " + std::to_string(before.monotonic_nanos) + " ns");
  }
  PagingRates rates;
  rates.interval_seconds = static_cast<double>(after.monotonic_nanos - before.monotonic_nanos) / 1e9;
  rates.host = RateOf(before.host, after.host, rates.interval_seconds);
  for (const auto& [id, counters] : after.enclaves) {
    auto it = before.enclaves.find(id);
    const PageCounters start = it == before.enclaves.end() ? PageCounters{} : it->second;
    rates.enclaves[id] = RateOf(start, counters, rates.interval_seconds);
  }
  return rates;
}

}  // namespace s3ml::cluster
