// SimEpcSource: a simulated host's EPC (tee/epc) read through ReadHostSnapshot, which maps the
// host's shared segment read-only and changes nothing. Enclaves whose process has died but whose
// slot has not been reclaimed yet are left out (their pages still count in the host's totals).
#ifndef S3ML_APPS_S3ML_EPCD_SIM_EPC_SOURCE_H_
#define S3ML_APPS_S3ML_EPCD_SIM_EPC_SOURCE_H_

#include <memory>
#include <string>

#include "apps/s3ml-epcd/epc_source.h"

namespace s3ml::epcd {

class SimEpcSource final : public EpcSource {
 public:
  // InvalidArgument for a malformed host id (see tee/epc/host_segment.h). The host need not exist
  // yet: Read() reports NotFound until an enclave creates it.
  static Result<std::unique_ptr<SimEpcSource>> Create(std::string host_id);
  Result<EpcReading> Read() override;
  std::string kind() const override { return "sim"; }

 private:
  explicit SimEpcSource(std::string host_id) : host_id_(std::move(host_id)) {}
  std::string host_id_;
};

}  // namespace s3ml::epcd

#endif  // S3ML_APPS_S3ML_EPCD_SIM_EPC_SOURCE_H_
