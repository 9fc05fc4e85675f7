// SimAuthority: the simulated "Intel" of one host (DESIGN.md, backend `sim`). It owns the CA
// hierarchy (root CA "s3ml Simulated SGX Root CA", PCK Platform CA, the host's PCK certificate
// with Intel's SGX extension, TCB Signing certificate), the QE attestation key, the per-host
// platform secret, and issues the collateral into <dir>/collateral/ laid out exactly as
// testdata/sgx/<sample>/, so attest/'s DcapVerifier checks simulated quotes with the same code
// as real ones; only the pinned root differs.
//
// Create refuses a directory that already holds a platform (kAlreadyExists). Open loads and
// checks every file (kNotFound / kInvalidArgument / kDataLoss name the file). Private keys and
// the platform secret are written 0600 in 0700 directories.
#ifndef S3ML_TEE_SIM_SIM_AUTHORITY_H_
#define S3ML_TEE_SIM_SIM_AUTHORITY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "crypto/ec_key.h"
#include "crypto/secret_bytes.h"
#include "crypto/x509_certificate.h"
#include "tee/sim/sim_paths.h"
#include "tee/sim/sim_state.h"

namespace s3ml::tee::sim {

inline constexpr char kSimRootCaName[] = "s3ml Simulated SGX Root CA";

struct SimInitOptions {
  std::string tcb_status = "UpToDate";
  std::optional<std::array<uint8_t, 6>> fmspc;  // default: SimState's
  int validity_days = 30;
};

class SimAuthority {
 public:
  static Result<SimAuthority> Create(const std::string& dir, const SimInitOptions& options, const Clock& clock);
  static Result<SimAuthority> Open(const std::string& dir);

  // Re-issues both CRLs, TCB Info and QE Identity valid from now for validity_days.
  Status Refresh(const Clock& clock);
  // Puts the PCK certificate's serial on the PCK CRL (and re-issues the collateral).
  Status RevokePck(const Clock& clock);

  const SimPaths& paths() const { return paths_; }
  const SimState& state() const { return state_; }
  const crypto::X509Certificate& root_certificate() const { return root_cert_; }
  const crypto::X509Certificate& pck_certificate() const { return pck_cert_; }
  const crypto::EcKey& pck_key() const { return pck_key_; }
  const crypto::EcKey& attestation_key() const { return attestation_key_; }
  // PCK leaf, PCK Platform CA, root: the quote's certification data (type 5).
  const std::string& pck_chain_pem() const { return pck_chain_pem_; }
  const crypto::SecretBytes& platform_secret() const { return platform_secret_; }

 private:
  SimAuthority(SimPaths paths, SimState state, crypto::EcKey root_key, crypto::EcKey pck_ca_key, crypto::EcKey pck_key,
               crypto::EcKey tcb_signing_key, crypto::EcKey attestation_key, crypto::X509Certificate root_cert,
               crypto::X509Certificate pck_ca_cert, crypto::X509Certificate pck_cert,
               crypto::X509Certificate tcb_signing_cert, crypto::SecretBytes platform_secret);

  Status WriteState() const;
  Status WriteCollateral(int64_t now) const;

  SimPaths paths_;
  SimState state_;
  crypto::EcKey root_key_, pck_ca_key_, pck_key_, tcb_signing_key_, attestation_key_;
  crypto::X509Certificate root_cert_, pck_ca_cert_, pck_cert_, tcb_signing_cert_;
  crypto::SecretBytes platform_secret_;
  std::string pck_chain_pem_;
};

}  // namespace s3ml::tee::sim

#endif  // S3ML_TEE_SIM_SIM_AUTHORITY_H_
