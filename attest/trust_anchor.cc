#include "attest/trust_anchor.h"

#include <cstdlib>

#include "crypto/ec_key.h"

namespace s3ml::attest {

const std::array<uint8_t, 64> kIntelSgxRootCaPublicKey = {
    0x0b, 0xa9, 0xc4, 0xc0, 0xc0, 0xc8, 0x61, 0x93, 0xa3, 0xfe, 0x23, 0xd6, 0xb0, 0x2c, 0xda, 0x10,
    0xa8, 0xbb, 0xd4, 0xe8, 0x8e, 0x48, 0xb4, 0x45, 0x85, 0x61, 0xa3, 0x6e, 0x70, 0x55, 0x25, 0xf5,
    0x67, 0x91, 0x8e, 0x2e, 0xdc, 0x88, 0xe4, 0x0d, 0x86, 0x0b, 0xd0, 0xcc, 0x4e, 0xe2, 0x6a, 0xac,
    0xc9, 0x88, 0xe5, 0x05, 0xa9, 0x53, 0x55, 0x8c, 0x45, 0x3f, 0x6b, 0x09, 0x04, 0xae, 0x73, 0x94};

TrustAnchors TrustAnchors::IntelOnly() {
  TrustAnchors anchors;
  // The constant is a valid P-256 point (tested), so this cannot fail short of a broken OpenSSL.
  if (!anchors.AddRawP256Key("Intel SGX Root CA", kIntelSgxRootCaPublicKey, false).ok()) std::abort();
  return anchors;
}

Status TrustAnchors::AddRootCertificate(const crypto::X509Certificate& root, bool simulated) {
  S3ML_ASSIGN_OR_RETURN(crypto::EcKey key, root.PublicKey());
  if (!root.IssuedBy(root)) return InvalidArgument("trust anchor '" + root.SubjectCommonName() + "' is not self-issued");
  Status self_signed = root.VerifySignedBy(key);
  if (!self_signed.ok()) return self_signed.WithContext("trust anchor is not self-signed");
  S3ML_ASSIGN_OR_RETURN(auto spki, root.SubjectPublicKeyInfoDer());
  anchors_.push_back(TrustAnchor{root.SubjectCommonName(), std::move(spki), simulated});
  return Status::Ok();
}

Status TrustAnchors::AddRawP256Key(std::string name, std::span<const uint8_t> xy, bool simulated) {
  S3ML_ASSIGN_OR_RETURN(crypto::EcKey key, crypto::EcKey::FromRawPublicKey(crypto::EcCurve::kP256, xy));
  S3ML_ASSIGN_OR_RETURN(auto spki, key.PublicKeyDer());
  anchors_.push_back(TrustAnchor{std::move(name), std::move(spki), simulated});
  return Status::Ok();
}

const TrustAnchor* TrustAnchors::Find(const crypto::X509Certificate& root) const {
  auto spki = root.SubjectPublicKeyInfoDer();
  if (!spki.ok()) return nullptr;
  for (const auto& anchor : anchors_) {
    if (anchor.spki_der == spki.value()) return &anchor;
  }
  return nullptr;
}

}  // namespace s3ml::attest
