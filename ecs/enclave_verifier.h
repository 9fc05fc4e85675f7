// EnclaveVerifier: the ECS's check of a model server's RA-TLS client certificate, everything
// except the manifest's identity rules (those are applied per request by provisioning.h, so that
// a refusal reaches the caller as a 403 naming the rule instead of a failed handshake).
//
// Verify(der) runs attest::RaTlsVerifier's steps without its policy step: parse the RA-TLS
// certificate, self-signature, validity at the clock's time, collateral for the quote, DCAP
// verification against the trust anchors (expired collateral kOutOfRange, bad signatures and
// unpinned roots kPermissionDenied), key binding (SHA-256 of the SPKI == report_data[0..32]).
// Messages name the step, as RaTlsVerifier's do.
//
// Successful results are cached by SHA-256 of the certificate DER until the earlier of the
// certificate's notAfter and the collateral's valid_until (a server reconnects with the same
// certificate; re-running DCAP verification for it each time buys nothing). The cache is bounded
// (least recently inserted entries go first). Thread-safe.
#ifndef S3ML_ECS_ENCLAVE_VERIFIER_H_
#define S3ML_ECS_ENCLAVE_VERIFIER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "attest/collateral.h"
#include "attest/collateral_source.h"
#include "attest/dcap_verifier.h"
#include "attest/sgx_quote.h"
#include "attest/trust_anchor.h"
#include "core/clock.h"
#include "core/status.h"
#include "crypto/digest.h"

namespace s3ml::ecs {

struct EnclavePeer {
  attest::VerifiedQuote quote;
  std::vector<uint8_t> spki_der;
  crypto::Sha256Digest certificate_sha256{};
  int64_t certificate_not_before = 0;
  int64_t certificate_not_after = 0;
};

struct EnclaveVerifierOptions {
  attest::TrustAnchors anchors = attest::TrustAnchors::IntelOnly();
  // Required. s3ml-ecs wraps its source in attest::MemoizedCollateralSource so that parsed
  // collateral is reused across handshakes.
  std::shared_ptr<attest::CollateralSource> collateral;
  const Clock* clock = nullptr;  // required; must outlive the verifier
  size_t cache_entries = 4096;   // 0 disables the cache
};

class EnclaveVerifier {
 public:
  static Result<std::shared_ptr<EnclaveVerifier>> Create(EnclaveVerifierOptions options);

  Result<EnclavePeer> Verify(std::span<const uint8_t> certificate_der);

  uint64_t cache_hits() const;

 private:
  explicit EnclaveVerifier(EnclaveVerifierOptions options) : options_(std::move(options)) {}
  Result<EnclavePeer> VerifyUncached(std::span<const uint8_t> certificate_der, int64_t now) const;

  EnclaveVerifierOptions options_;
  mutable std::mutex mu_;
  std::map<crypto::Sha256Digest, EnclavePeer> cache_;
  std::deque<crypto::Sha256Digest> cache_order_;
  uint64_t cache_hits_ = 0;
};

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_ENCLAVE_VERIFIER_H_
