// GraminePlatform: the `gramine` backend of Platform, on Gramine's attestation pseudo-files
// under a root directory (normally /dev/attestation):
//   attestation_type        must read "dcap"
//   user_report_data        GetQuote writes the 64 report_data bytes here ...
//   quote                   ... and reads the resulting DCAP quote here (at most 64 KiB)
//   keys/_sgx_mrenclave     16-byte SGX seal keys (EGETKEY with MRENCLAVE / MRSIGNER policy);
//   keys/_sgx_mrsigner      a 32-byte key per label is derived from them with HKDF-SHA256
// SelfIdentity is read from the report body of a quote (with zero report_data), cached.
// Errors name the file; a wrong attestation type is kFailedPrecondition.
#ifndef S3ML_TEE_GRAMINE_PLATFORM_H_
#define S3ML_TEE_GRAMINE_PLATFORM_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "tee/platform.h"

namespace s3ml::tee {

class GraminePlatform final : public Platform {
 public:
  // Checks attestation_type first, so that a non-DCAP or missing Gramine fails at creation.
  static Result<std::unique_ptr<GraminePlatform>> Open(std::string root = "/dev/attestation");

  std::string_view name() const override { return "gramine"; }
  Result<std::vector<uint8_t>> GetQuote(std::span<const uint8_t> report_data) override;
  Result<crypto::SecretBytes> GetSealKey(SealKeyPolicy policy, std::string_view label) override;
  Result<Identity> SelfIdentity() override;

 private:
  explicit GraminePlatform(std::string root) : root_(std::move(root)) {}

  std::string root_;
  std::mutex mu_;  // user_report_data + quote is a two-step exchange
  std::optional<Identity> identity_;
};

}  // namespace s3ml::tee

#endif  // S3ML_TEE_GRAMINE_PLATFORM_H_
