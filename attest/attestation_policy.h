// AttestationPolicy: which verified enclaves a relying party accepts.
//
// An identity is accepted when its MRENCLAVE is listed, or when a signer rule matches (MRSIGNER,
// ISVPRODID and ISVSVN >= min_isv_svn). An empty policy accepts nothing (fail closed). DEBUG
// enclaves and simulated roots are refused unless allowed; the merged TCB status must be in
// accepted_tcb_statuses (default UpToDate, SWHardeningNeeded); when accepted_advisories is set,
// every advisory of the quote must be in it (unset = the status alone decides).
// Check() returns kPermissionDenied naming the rule that failed.
//
// JSON form (unknown keys are refused, so a typo cannot silently widen the policy):
//   {"mrenclave": ["<hex32>", ...],
//    "signers": [{"mrsigner": "<hex32>", "isvprodid": 0, "min_isvsvn": 0}],
//    "allow_debug": false, "allow_simulated": false,
//    "accepted_tcb_statuses": ["UpToDate", "SWHardeningNeeded"],
//    "accepted_advisories": ["INTEL-SA-00615"]}
#ifndef S3ML_ATTEST_ATTESTATION_POLICY_H_
#define S3ML_ATTEST_ATTESTATION_POLICY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attest/dcap_verifier.h"
#include "attest/tcb_status.h"
#include "core/status.h"

namespace s3ml::attest {

struct SignerRule {
  std::array<uint8_t, 32> mrsigner{};
  uint16_t isv_prod_id = 0;
  uint16_t min_isv_svn = 0;
};

struct AttestationPolicy {
  std::vector<std::array<uint8_t, 32>> allowed_mrenclaves;
  std::vector<SignerRule> allowed_signers;
  bool allow_debug = false;
  bool allow_simulated = false;
  std::vector<TcbStatus> accepted_tcb_statuses = {TcbStatus::kUpToDate, TcbStatus::kSwHardeningNeeded};
  std::optional<std::vector<std::string>> accepted_advisories;

  Status Check(const VerifiedQuote& verified) const;
};

Result<AttestationPolicy> ParseAttestationPolicyJson(std::string_view json_text);
Result<AttestationPolicy> LoadAttestationPolicy(const std::string& path);

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_ATTESTATION_POLICY_H_
