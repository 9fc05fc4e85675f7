// EpcExporter: one host's EPC figures in the Prometheus text format, for the s3ml-epcd exporter.
//
// Sample() reads the source once (the caller calls it on a fixed interval, so the paging rate is
// measured over that interval whatever the scrape rate) and keeps the figures; RenderText() is
// what a scrape of /metrics returns. Series (host-wide ones carry only `host`; per-enclave ones add
// `enclave` (its name) and `pid`, so `{enclave=""}` selects the host in PromQL):
//   s3ml_epc_source_up{host,source}                 1 if the last read succeeded, else 0
//   s3ml_epc_capacity_bytes{host}                   gauge
//   s3ml_epc_resident_bytes{host[,enclave,pid]}     gauge (not on real SGX)
//   s3ml_epc_pages_evicted_total{host[,enclave,pid]} counter (EWB)
//   s3ml_epc_pages_loaded_total{host[,enclave,pid]}  counter (ELDU)
//   s3ml_epc_paging_rate_pages_per_second{host[,enclave,pid]}  gauge: (evicted + loaded) per
//       second over the last sampling interval (cluster/paging_rate.h); absent until two reads.
// While the source cannot be read only s3ml_epc_source_up 0 is exported. Thread-safe.
// Enclave names come from the (untrusted) shared segment; the text serializer escapes label values.
#ifndef S3ML_APPS_S3ML_EPCD_EPC_EXPORTER_H_
#define S3ML_APPS_S3ML_EPCD_EPC_EXPORTER_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "apps/s3ml-epcd/epc_source.h"
#include "cluster/paging_rate.h"
#include "core/status.h"
#include "net/router.h"

namespace s3ml::epcd {

class EpcExporter {
 public:
  EpcExporter(std::string host, std::unique_ptr<EpcSource> source);

  // Reads the source at monotonic time now_nanos (increasing across calls). Returns the source's
  // error, which is also what the exported figures then show (source down).
  Status Sample(uint64_t now_nanos);
  std::string RenderText() const;
  // Rates over the last interval between two successful reads, if there were two.
  std::optional<cluster::PagingRates> last_rates() const;

 private:
  const std::string host_;
  const std::unique_ptr<EpcSource> source_;  // only Sample() uses it (one sampler thread)
  mutable std::mutex mu_;
  bool up_ = false;                             // guarded by mu_
  std::optional<EpcReading> reading_;           // guarded by mu_: the last successful read
  std::optional<cluster::PagingSample> sample_;  // guarded by mu_: its counters
  std::optional<cluster::PagingRates> rates_;    // guarded by mu_
};

// The key of an enclave in PagingSample::enclaves (cluster::EnclaveRateKey).
std::string EnclaveKey(const EnclaveReading& enclave);

// GET /metrics -> RenderText() as text/plain; version=0.0.4. REQUIRES: exporter outlives the router.
Result<net::Router> MakeExporterRouter(const EpcExporter* exporter);

}  // namespace s3ml::epcd

#endif  // S3ML_APPS_S3ML_EPCD_EPC_EXPORTER_H_
