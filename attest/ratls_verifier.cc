#include "attest/ratls_verifier.h"

#include <algorithm>
#include <utility>

#include "attest/ratls_certificate.h"
#include "crypto/digest.h"

namespace s3ml::attest {

Result<RaTlsVerifier> RaTlsVerifier::Create(RaTlsVerifierOptions options) {
  if (!options.collateral) return InvalidArgument("RA-TLS verifier: no collateral source");
  if (options.clock == nullptr) return InvalidArgument("RA-TLS verifier: no clock");
  if (options.anchors.anchors().empty()) return InvalidArgument("RA-TLS verifier: no trust anchor");
  return RaTlsVerifier(std::make_shared<const State>(State{std::move(options)}));
}

Result<RaTlsPeerIdentity> RaTlsVerifier::Verify(std::span<const uint8_t> certificate_der) const {
  return VerifyWith(*state_, certificate_der);
}

Result<RaTlsPeerIdentity> RaTlsVerifier::VerifyWith(const State& state, std::span<const uint8_t> certificate_der) {
  const RaTlsVerifierOptions& options = state.options;
  auto parsed = ParseRaTlsCertificate(certificate_der);
  if (!parsed.ok()) return parsed.status();  // messages already start with "RA-TLS"
  const crypto::X509Certificate& certificate = parsed->certificate;

  auto key = certificate.PublicKey();
  if (!key.ok()) return key.status().WithContext("self-signature");
  Status self_signed = certificate.VerifySignedBy(*key);
  if (!self_signed.ok()) return self_signed.WithContext("self-signature");

  const int64_t now = options.clock->NowUnixSeconds();
  S3ML_RETURN_IF_ERROR(certificate.CheckValidAt(now).WithContext("validity"));
  auto not_after = certificate.NotAfter();
  if (!not_after.ok()) return not_after.status().WithContext("validity");

  auto collateral = options.collateral->CollateralFor(parsed->quote);
  if (!collateral.ok()) return collateral.status().WithContext("collateral");

  auto verified = VerifyDcapQuote(parsed->quote, *collateral, options.anchors, now);
  if (!verified.ok()) return verified.status().WithContext("DCAP verification");

  const crypto::Sha256Digest key_hash = crypto::Sha256(parsed->spki_der);
  const auto& report_data = verified->identity.report_data;
  if (!std::equal(key_hash.begin(), key_hash.end(), report_data.begin())) {
    return PermissionDenied(
        "key binding: SHA-256 of the certificate's public key is not the quote's report_data[0..32]; the quote "
        "belongs to another key");
  }

  S3ML_RETURN_IF_ERROR(options.policy.Check(*verified).WithContext("policy"));

  RaTlsPeerIdentity identity;
  identity.enclave = verified->identity;
  identity.tcb_status = verified->tcb_status;
  identity.advisory_ids = verified->advisory_ids;
  identity.simulated = verified->simulated_root;
  identity.trust_anchor = verified->trust_anchor;
  std::copy(report_data.begin() + 32, report_data.end(), identity.binding.begin());
  identity.spki_der = std::move(parsed->spki_der);
  identity.certificate_not_after = *not_after;
  identity.collateral_valid_until = verified->valid_until;
  return identity;
}

net::PeerVerifier RaTlsVerifier::AsPeerVerifier() const {
  std::shared_ptr<const State> state = state_;
  return [state](const net::CertificateChain& chain, std::any& claims) -> Status {
    if (chain.empty()) return PermissionDenied("RA-TLS: the peer presented no certificate");
    if (chain.size() != 1) {
      return PermissionDenied("RA-TLS: expected one self-signed certificate, the peer presented " +
                              std::to_string(chain.size()));
    }
    S3ML_ASSIGN_OR_RETURN(RaTlsPeerIdentity identity, VerifyWith(*state, chain.front()));
    claims = std::move(identity);
    return Status::Ok();
  };
}

}  // namespace s3ml::attest
