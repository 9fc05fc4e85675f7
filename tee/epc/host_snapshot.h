// A read-only view of one simulated host's EPC counters, for exporters (s3ml-epcd, metrics).
//
// ReadHostSnapshot maps the host's segment read-only and copies its counters; it never changes
// anything (dead enclaves are reported with alive = false, not reclaimed). Counters are monotonic
// except resident figures; rows are the occupied enclave slots.
#ifndef S3ML_TEE_EPC_HOST_SNAPSHOT_H_
#define S3ML_TEE_EPC_HOST_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace s3ml::tee::epc {

struct EnclaveRow {
  int32_t pid = 0;
  std::string name;
  bool alive = false;  // the process exists (checked at snapshot time)
  uint64_t resident_pages = 0;
  uint64_t pages_evicted = 0;
  uint64_t pages_loaded = 0;
};

struct HostSnapshot {
  uint64_t capacity_pages = 0;
  uint64_t resident_pages = 0;
  uint64_t resident_peak = 0;
  uint64_t pages_evicted_total = 0;  // EWB
  uint64_t pages_loaded_total = 0;   // ELDU
  uint64_t granted_pages = 0;        // of resident_pages: freed for a waiting enclave, not yet taken
  std::vector<EnclaveRow> enclaves;
};

// kNotFound if the host has no segment; kDataLoss if the segment is not a valid s3ml EPC segment.
Result<HostSnapshot> ReadHostSnapshot(std::string_view host_id);

}  // namespace s3ml::tee::epc

#endif  // S3ML_TEE_EPC_HOST_SNAPSHOT_H_
