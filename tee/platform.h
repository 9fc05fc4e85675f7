// Platform: the trusted execution environment as an enclave program sees it. Every enclave
// program (ECS, model server) gets its quotes, seal keys and own identity only through this
// interface, so the same code runs on real SGX (Gramine) and on the simulated platform.
//
// Backends: "sim" (tee/sim/sim_platform.h: asks the host's simulated quoting daemon) and
// "gramine" (tee/gramine_platform.h: Gramine's /dev/attestation files); see platform_factory.h.
#ifndef S3ML_TEE_PLATFORM_H_
#define S3ML_TEE_PLATFORM_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/secret_bytes.h"
#include "tee/identity.h"
#include "tee/seal_key_policy.h"

namespace s3ml::tee {

inline constexpr size_t kReportDataSize = 64;
inline constexpr size_t kSealKeySize = 32;
inline constexpr size_t kMaxSealKeyLabelSize = 256;

class Platform {
 public:
  virtual ~Platform() = default;

  // "sim" or "gramine".
  virtual std::string_view name() const = 0;

  // An SGX DCAP quote v3 of this enclave whose report_data is the given 64 bytes (anything else
  // is kInvalidArgument). kUnavailable when the quoting service cannot be reached.
  virtual Result<std::vector<uint8_t>> GetQuote(std::span<const uint8_t> report_data) = 0;

  // A 32-byte key bound to this enclave's identity under policy and to this host, and separated
  // by label (1..256 bytes). The same enclave on the same host always gets the same key; another
  // identity or host never does.
  virtual Result<crypto::SecretBytes> GetSealKey(SealKeyPolicy policy, std::string_view label) = 0;

  // This enclave's identity as the platform measured it.
  virtual Result<Identity> SelfIdentity() = 0;
};

// Shared argument checks for backends.
Status CheckReportDataSize(std::span<const uint8_t> report_data);
Status CheckSealKeyLabel(std::string_view label);

}  // namespace s3ml::tee

#endif  // S3ML_TEE_PLATFORM_H_
