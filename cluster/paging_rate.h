// Paging rate: EPC pages evicted ("EWB") and loaded back ("ELDU") per second, from two samples of
// monotonic page counters (a host's and its enclaves') taken at two monotonic times.
//
// Pure: no clock, no I/O. Counter resets follow Prometheus's rate(): a counter that went down was
// reset (a recreated host segment, a reused enclave slot, a restarted exporter), so it counted from
// zero and its whole new value is the increase. An enclave present only in the later sample started
// within the interval (its counters start at zero when it attaches), so its whole value counts too;
// an enclave present only in the earlier sample has gone and has no rate.
#ifndef S3ML_CLUSTER_PAGING_RATE_H_
#define S3ML_CLUSTER_PAGING_RATE_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"
#include "tee/epc/host_snapshot.h"

namespace s3ml::cluster {

struct PageCounters {
  uint64_t evicted = 0;  // EWB since the counter started
  uint64_t loaded = 0;   // ELDU since the counter started
};

struct PagingSample {
  uint64_t monotonic_nanos = 0;  // when the counters were read (core/clock.h MonotonicNanos)
  PageCounters host;
  // Per enclave, keyed by an id stable for the enclave's life (EnclaveRateKey).
  std::map<std::string, PageCounters> enclaves;
};

// "<pid>/<name>": a pid alone could be reused by a later enclave in the same slot.
std::string EnclaveRateKey(int32_t pid, std::string_view name);

// The counters of a simulated host's snapshot (tee/epc ReadHostSnapshot) taken at monotonic time
// now_nanos; enclaves whose process is gone are left out.
PagingSample PagingSampleFromSnapshot(const tee::epc::HostSnapshot& snapshot, uint64_t now_nanos);

struct PageRate {
  double evicted_per_second = 0;
  double loaded_per_second = 0;
  // Paging throughput: the signal the weight and scaling policies use.
  double total_per_second() const { return evicted_per_second + loaded_per_second; }
};

struct PagingRates {
  double interval_seconds = 0;
  PageRate host;
  std::map<std::string, PageRate> enclaves;  // enclaves of the later sample
};

// The increase of a monotonic counter from `before` to `after`, treating a decrease as a reset.
uint64_t CounterIncrease(uint64_t before, uint64_t after);

// InvalidArgument unless after.monotonic_nanos > before.monotonic_nanos.
Result<PagingRates> ComputePagingRates(const PagingSample& before, const PagingSample& after);

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_PAGING_RATE_H_
