// EcsTrust: what the model server accepts as its ECS, from the command line's identity flags.
//
// The ECS's server certificate is an RA-TLS certificate; it is verified inside the TLS handshake
// by an attest::RaTlsVerifier whose policy allows exactly the expected identity: one MRENCLAVE
// (--ecs-mrenclave), or one MRSIGNER with ISVPRODID and a minimum ISVSVN (--ecs-mrsigner). Trust
// anchors are Intel's root, plus the simulated root only with allow_simulated (development), in
// which case the policy also allows simulated quotes. Collateral comes from a directory laid out
// as testdata/sgx/ or from a PCCS with an on-disk cache, built by attest::MakeCollateralSource
// (attest/collateral_options.h) as for every other verifier.
#ifndef S3ML_SERVING_ECS_TRUST_H_
#define S3ML_SERVING_ECS_TRUST_H_

#include <cstdint>
#include <string>

#include "attest/ratls_verifier.h"
#include "core/clock.h"
#include "core/status.h"

namespace s3ml::serving {

struct EcsTrustOptions {
  std::string mrenclave_hex;  // exactly one of mrenclave_hex / mrsigner_hex
  std::string mrsigner_hex;
  uint16_t isv_prod_id = 0;   // with mrsigner_hex
  uint16_t min_isv_svn = 0;   // with mrsigner_hex
  bool allow_simulated = false;
  std::string sim_root_pem;   // trusted only with allow_simulated
  std::string collateral_dir; // exactly one of collateral_dir / pccs_url
  std::string pccs_url;
  std::string pccs_ca_pem;
  std::string collateral_cache_dir;  // empty: attest::DefaultCollateralCacheDirectory()
  const Clock* clock = nullptr;  // required; must outlive the verifier
};

// kInvalidArgument naming the flag that is missing, doubled or malformed.
Result<attest::RaTlsVerifierOptions> MakeEcsVerifierOptions(const EcsTrustOptions& options);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_ECS_TRUST_H_
