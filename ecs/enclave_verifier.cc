#include "ecs/enclave_verifier.h"

#include <algorithm>

#include "attest/ratls_certificate.h"

namespace s3ml::ecs {

Result<std::shared_ptr<EnclaveVerifier>> EnclaveVerifier::Create(EnclaveVerifierOptions options) {
  if (!options.collateral) return InvalidArgument("enclave verifier: no collateral source");
  if (options.clock == nullptr) return InvalidArgument("enclave verifier: no clock");
  if (options.anchors.anchors().empty()) return InvalidArgument("enclave verifier: no trust anchor");
  return std::shared_ptr<EnclaveVerifier>(new EnclaveVerifier(std::move(options)));
}

uint64_t EnclaveVerifier::cache_hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cache_hits_;
}

Result<EnclavePeer> EnclaveVerifier::Verify(std::span<const uint8_t> certificate_der) {
  const int64_t now = options_.clock->NowUnixSeconds();
  const crypto::Sha256Digest hash = crypto::Sha256(certificate_der);
  if (options_.cache_entries > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end()) {
      const EnclavePeer& peer = it->second;
      const int64_t valid_until = std::min(peer.certificate_not_after, peer.quote.valid_until);
      if (now >= peer.certificate_not_before && now <= valid_until) {
        ++cache_hits_;
        return peer;
      }
    }
  }
  S3ML_ASSIGN_OR_RETURN(EnclavePeer peer, VerifyUncached(certificate_der, now));
  peer.certificate_sha256 = hash;
  if (options_.cache_entries > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.insert_or_assign(hash, peer).second) cache_order_.push_back(hash);
    while (cache_.size() > options_.cache_entries && !cache_order_.empty()) {
      cache_.erase(cache_order_.front());
      cache_order_.pop_front();
    }
  }
  return peer;
}

Result<EnclavePeer> EnclaveVerifier::VerifyUncached(std::span<const uint8_t> certificate_der, int64_t now) const {
  auto parsed = attest::ParseRaTlsCertificate(certificate_der);
  if (!parsed.ok()) return parsed.status();
  const crypto::X509Certificate& certificate = parsed->certificate;

  auto key = certificate.PublicKey();
  if (!key.ok()) return key.status().WithContext("self-signature");
  Status self_signed = certificate.VerifySignedBy(*key);
  if (!self_signed.ok()) return self_signed.WithContext("self-signature");
  S3ML_RETURN_IF_ERROR(certificate.CheckValidAt(now).WithContext("validity"));
  S3ML_ASSIGN_OR_RETURN(int64_t not_before, certificate.NotBefore());
  S3ML_ASSIGN_OR_RETURN(int64_t not_after, certificate.NotAfter());

  auto collateral = options_.collateral->CollateralFor(parsed->quote);
  if (!collateral.ok()) return collateral.status().WithContext("collateral");

  auto verified = attest::VerifyDcapQuote(parsed->quote, *collateral, options_.anchors, now);
  if (!verified.ok()) return verified.status().WithContext("DCAP verification");

  const crypto::Sha256Digest key_hash = crypto::Sha256(parsed->spki_der);
  if (!std::equal(key_hash.begin(), key_hash.end(), verified->identity.report_data.begin())) {
    return PermissionDenied(
        "key binding: SHA-256 of the certificate's public key is not the quote's report_data[0..32]; the quote "
        "belongs to another key");
  }
  EnclavePeer peer;
  peer.quote = std::move(verified).value();
  peer.spki_der = std::move(parsed->spki_der);
  peer.certificate_not_before = not_before;
  peer.certificate_not_after = not_after;
  return peer;
}

}  // namespace s3ml::ecs
