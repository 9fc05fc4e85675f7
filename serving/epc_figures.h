// EpcFigures: what the model server exports about EPC pressure (DESIGN.md "Simulated EPC and EPC
// metrics": "servers also export their host's paging rate and their own").
//
// serving/ only carries and exports these figures: it does not read EPC counters or compute rates
// (the app samples the host and computes them with cluster/paging_rate.h, a layer above serving).
// Rates are pages per second over the last sampling interval; "enclave" is this server's own row.
#ifndef S3ML_SERVING_EPC_FIGURES_H_
#define S3ML_SERVING_EPC_FIGURES_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace s3ml::serving {

struct EpcFigures {
  std::string host;     // the simulated host id (an operator flag, never request text)
  std::string enclave;  // this server's enclave name on that host
  uint64_t capacity_bytes = 0;
  uint64_t host_resident_bytes = 0;
  uint64_t enclave_resident_bytes = 0;
  double host_evicted_per_second = 0;  // EWB
  double host_loaded_per_second = 0;   // ELDU
  double enclave_evicted_per_second = 0;
  double enclave_loaded_per_second = 0;
};

// The latest figures, or nullopt while none are known yet (no EPC, or fewer than two samples).
// Called on the metrics port's thread at every scrape; must be thread-safe.
using EpcFiguresSource = std::function<std::optional<EpcFigures>()>;

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_EPC_FIGURES_H_
