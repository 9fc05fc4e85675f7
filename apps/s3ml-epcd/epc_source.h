// EpcSource: where s3ml-epcd reads a host's EPC figures from (the simulated EPC's shared segment,
// or the real SGX driver through kprobes). One reading is a consistent-enough copy of monotonic
// counters plus gauges; the exporter turns two readings into a paging rate.
#ifndef S3ML_APPS_S3ML_EPCD_EPC_SOURCE_H_
#define S3ML_APPS_S3ML_EPCD_EPC_SOURCE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace s3ml::epcd {

struct EnclaveReading {
  int32_t pid = 0;
  std::string name;
  uint64_t resident_bytes = 0;
  uint64_t pages_evicted = 0;  // EWB, since the enclave attached
  uint64_t pages_loaded = 0;   // ELDU, since the enclave attached
};

struct EpcReading {
  uint64_t capacity_bytes = 0;
  std::optional<uint64_t> resident_bytes;  // unknown on real SGX
  uint64_t pages_evicted_total = 0;        // EWB, since the source started counting
  uint64_t pages_loaded_total = 0;         // ELDU
  std::vector<EnclaveReading> enclaves;    // live enclaves, where the source knows them
};

class EpcSource {
 public:
  virtual ~EpcSource() = default;
  // Unavailable / NotFound while the figures cannot be read (e.g. no enclave has created the
  // simulated host yet); the exporter reports the source as down and tries again next time.
  virtual Result<EpcReading> Read() = 0;
  // "sim" or "sgx", for the exporter's labels and logs.
  virtual std::string kind() const = 0;
};

}  // namespace s3ml::epcd

#endif  // S3ML_APPS_S3ML_EPCD_EPC_SOURCE_H_
