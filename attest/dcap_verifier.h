// DCAP verification of an SGX quote v3 with offline collateral, as of a given time, following the
// order of Intel's Quote Verification Library:
//   1. pinned root: every chain (PCK, TCB Info, QE Identity, PCK CRL) ends in a trust anchor's key;
//   2. CRLs: root CA CRL and PCK CRL signatures, issuers, thisUpdate/nextUpdate; revocation of the
//      PCK CA, the TCB Signing certificate and the PCK leaf;
//   3. TCB Info and QE Identity: issuer chain to the root, signature over the exact JSON bytes,
//      issueDate/nextUpdate, id/version;
//   4. PCK chain to the root at the given time;
//   5. QE report signed by the PCK key; QE report data binds SHA-256(attestation key || QE auth data);
//   6. QE identity (MRSIGNER, ISVPRODID, masked MISCSELECT/ATTRIBUTES) and QE TCB level by ISVSVN;
//   7. quote signature over bytes [0, 432) by the attestation key;
//   8. FMSPC / PCE-ID match and platform TCB level by PCK component SVNs and PCESVN;
//   9. QE and platform TCB statuses merged (tcb_status.h); advisories of both levels.
// Errors name the check that failed: kOutOfRange for expired / not-yet-valid collateral or
// certificates ("... expired ..."), kPermissionDenied for bad signatures ("bad signature of X"),
// revocation ("revoked: ..."), mismatches ("mismatch of Y") and terminal TCB statuses (Revoked),
// kInvalidArgument for malformed input. Policy (which enclave, which statuses) is separate:
// attestation_policy.h.
#ifndef S3ML_ATTEST_DCAP_VERIFIER_H_
#define S3ML_ATTEST_DCAP_VERIFIER_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "attest/collateral.h"
#include "attest/sgx_quote.h"
#include "attest/tcb_status.h"
#include "attest/trust_anchor.h"
#include "core/status.h"

namespace s3ml::attest {

// What a verified quote proves about the enclave that produced it.
struct EnclaveIdentity {
  std::array<uint8_t, 32> mrenclave{};
  std::array<uint8_t, 32> mrsigner{};
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
  bool debug = false;
  std::array<uint8_t, 64> report_data{};
};

struct VerifiedQuote {
  EnclaveIdentity identity;
  TcbStatus tcb_status = TcbStatus::kRevoked;  // merged
  TcbStatus platform_tcb_status = TcbStatus::kRevoked;
  TcbStatus qe_tcb_status = TcbStatus::kRevoked;
  std::vector<std::string> advisory_ids;  // platform level's, then the QE level's new ones
  std::array<uint8_t, 6> fmspc{};
  std::array<uint8_t, 2> pce_id{};
  std::string trust_anchor;  // name of the anchor the chains ended in
  bool simulated_root = false;
  // Earliest nextUpdate/notAfter of the collateral used: re-verify after this.
  int64_t valid_until = 0;
};

Result<VerifiedQuote> VerifyDcapQuote(std::span<const uint8_t> quote_bytes, const Collateral& collateral,
                                      const TrustAnchors& anchors, int64_t unix_time);
Result<VerifiedQuote> VerifyDcapQuote(const SgxQuote& quote, const Collateral& collateral,
                                      const TrustAnchors& anchors, int64_t unix_time);

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_DCAP_VERIFIER_H_
