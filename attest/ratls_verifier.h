// RaTlsVerifier: decides whether an RA-TLS certificate (ratls_certificate.h) comes from an
// enclave the relying party accepts, and says which enclave it is.
//
// Verify(der) runs, in order, and fails at the first step that does not hold, with the step's
// name in the message:
//   "RA-TLS certificate" (parsing, ParseRaTlsCertificate), "self-signature" (the certificate is
//   signed by its own key), "validity" (notBefore/notAfter at the clock's time, kOutOfRange),
//   "collateral" (the source has none for the quote), "DCAP verification"
//   (VerifyDcapQuote with the trust anchors at the clock's time: expired collateral is
//   kOutOfRange, a quote under an unpinned root kPermissionDenied), "key binding" (SHA-256 of the
//   certificate's SPKI must equal report_data[0..32], kPermissionDenied), "policy"
//   (AttestationPolicy::Check, kPermissionDenied naming the rule).
// Trust anchors: Intel's root; add a simulated root only for development (and set the policy's
// allow_simulated, otherwise the policy still refuses it).
//
// AsPeerVerifier() adapts it to net::PeerVerifier: a TLS context then verifies RA-TLS peers inside
// the handshake and the connection's PeerInfo::claims holds the RaTlsPeerIdentity. The verifier
// is immutable after Create and safe to use from many threads at once (CollateralSource
// implementations are thread-safe by contract).
#ifndef S3ML_ATTEST_RATLS_VERIFIER_H_
#define S3ML_ATTEST_RATLS_VERIFIER_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "attest/attestation_policy.h"
#include "attest/collateral.h"
#include "attest/collateral_source.h"
#include "attest/dcap_verifier.h"
#include "attest/tcb_status.h"
#include "attest/trust_anchor.h"
#include "core/clock.h"
#include "core/status.h"
#include "net/peer_info.h"

namespace s3ml::attest {

struct RaTlsVerifierOptions {
  TrustAnchors anchors = TrustAnchors::IntelOnly();
  // Required; asked once per verification with the certificate's quote (collateral_source.h,
  // collateral_options.h builds one from flags).
  std::shared_ptr<CollateralSource> collateral;
  AttestationPolicy policy;
  const Clock* clock = nullptr;  // required; must outlive the verifier
};

// What an accepted RA-TLS peer is.
struct RaTlsPeerIdentity {
  EnclaveIdentity enclave;  // MRENCLAVE, MRSIGNER, ISVPRODID, ISVSVN, debug, report data
  TcbStatus tcb_status = TcbStatus::kRevoked;
  std::vector<std::string> advisory_ids;
  bool simulated = false;
  std::string trust_anchor;
  std::array<uint8_t, 32> binding{};  // report_data[32..64]
  std::vector<uint8_t> spki_der;      // the certificate's key, proven by the TLS handshake
  int64_t certificate_not_after = 0;
  int64_t collateral_valid_until = 0;
};

class RaTlsVerifier {
 public:
  // kInvalidArgument when the collateral source or clock is missing or there is no trust anchor.
  static Result<RaTlsVerifier> Create(RaTlsVerifierOptions options);

  Result<RaTlsPeerIdentity> Verify(std::span<const uint8_t> certificate_der) const;

  // Verifies the leaf of the peer's chain (a self-signed RA-TLS certificate, so exactly one
  // certificate is expected) and stores the RaTlsPeerIdentity in claims. Keeps this verifier's
  // state alive on its own.
  net::PeerVerifier AsPeerVerifier() const;

 private:
  struct State {
    RaTlsVerifierOptions options;
  };
  explicit RaTlsVerifier(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  static Result<RaTlsPeerIdentity> VerifyWith(const State& state, std::span<const uint8_t> certificate_der);

  std::shared_ptr<const State> state_;
};

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_RATLS_VERIFIER_H_
