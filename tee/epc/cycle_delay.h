// Busy-waits for a number of TSC ticks (about CPU cycles at the nominal frequency) to model the
// cost SGX adds to every EWB and ELDU. Async-signal-safe. A busy wait, not a sleep, because the
// real cost is CPU work inside the faulting thread.
#ifndef S3ML_TEE_EPC_CYCLE_DELAY_H_
#define S3ML_TEE_EPC_CYCLE_DELAY_H_

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#else
#include <time.h>
#endif

namespace s3ml::tee::epc {

inline void BusyWaitCycles(uint64_t cycles) {
  if (cycles == 0) return;
#if defined(__x86_64__) || defined(__i386__)
  const uint64_t start = __rdtsc();
  while (__rdtsc() - start < cycles) _mm_pause();
#else
  // No TSC: assume a 3.3 GHz clock.
  timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  const int64_t ns = static_cast<int64_t>(cycles * 10 / 33);
  do {
    clock_gettime(CLOCK_MONOTONIC, &t);
  } while ((t.tv_sec - t0.tv_sec) * 1000000000 + (t.tv_nsec - t0.tv_nsec) < ns);
#endif
}

}  // namespace s3ml::tee::epc

#endif  // S3ML_TEE_EPC_CYCLE_DELAY_H_
