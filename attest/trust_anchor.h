// TrustAnchors: the pinned root public keys a DCAP verification may chain to. By default only
// Intel's real SGX Root CA key. A simulated platform's root (DESIGN.md, backend `sim`) can be
// added, marked as simulated, and the verification result says which kind of root was used so
// that policy can refuse simulated roots in production.
#ifndef S3ML_ATTEST_TRUST_ANCHOR_H_
#define S3ML_ATTEST_TRUST_ANCHOR_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "crypto/x509_certificate.h"

namespace s3ml::attest {

// Intel SGX Root CA's P-256 public key as raw x||y (from the certificate "CN=Intel SGX Root CA",
// valid 2018-05-21 .. 2049-12-31). Pinned in code, as Intel's QVL pins it.
extern const std::array<uint8_t, 64> kIntelSgxRootCaPublicKey;

struct TrustAnchor {
  std::string name;
  std::vector<uint8_t> spki_der;  // DER SubjectPublicKeyInfo of the root key
  bool simulated = false;
};

class TrustAnchors {
 public:
  // Only Intel's SGX Root CA.
  static TrustAnchors IntelOnly();
  // No anchors at all (add some before use).
  static TrustAnchors None() { return TrustAnchors(); }

  // Pins the public key of a root certificate (the certificate must be self-signed).
  Status AddRootCertificate(const crypto::X509Certificate& root, bool simulated);
  Status AddRawP256Key(std::string name, std::span<const uint8_t> xy, bool simulated);

  // The anchor whose key is root's key, or nullptr. The pointer is valid while *this lives.
  const TrustAnchor* Find(const crypto::X509Certificate& root) const;
  const std::vector<TrustAnchor>& anchors() const { return anchors_; }

 private:
  std::vector<TrustAnchor> anchors_;
};

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_TRUST_ANCHOR_H_
