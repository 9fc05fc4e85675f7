// SimPlatform: the `sim` backend of Platform. Every call is one request to the host's simulated
// quoting daemon (`s3ml sim qe`) over its Unix socket; the daemon measures this process itself,
// so the identity in quotes and seal keys is the measured one. kUnavailable when the daemon
// cannot be reached, kDeadlineExceeded on timeout, otherwise the daemon's own error.
#ifndef S3ML_TEE_SIM_SIM_PLATFORM_H_
#define S3ML_TEE_SIM_SIM_PLATFORM_H_

#include <string>

#include "tee/platform.h"

namespace s3ml::tee::sim {

class SimPlatform final : public Platform {
 public:
  // socket_path: the daemon's socket; timeout_ms bounds each request's I/O.
  explicit SimPlatform(std::string socket_path, int timeout_ms = 30000)
      : socket_path_(std::move(socket_path)), timeout_ms_(timeout_ms) {}

  std::string_view name() const override { return "sim"; }
  Result<std::vector<uint8_t>> GetQuote(std::span<const uint8_t> report_data) override;
  Result<crypto::SecretBytes> GetSealKey(SealKeyPolicy policy, std::string_view label) override;
  Result<Identity> SelfIdentity() override;

  const std::string& socket_path() const { return socket_path_; }

 private:
  std::string socket_path_;
  int timeout_ms_;
};

}  // namespace s3ml::tee::sim

#endif  // S3ML_TEE_SIM_SIM_PLATFORM_H_
