// X509Crl: a parsed certificate revocation list (OpenSSL X509_CRL, reference-counted copies).
//
// Parsing checks only the encoding. Callers check, in their protocol's order: that the CRL was
// issued by the expected CA (IssuedBy + VerifySignedBy), that it is current (CheckCurrentAt:
// thisUpdate <= t <= nextUpdate), and then IsRevoked for each certificate it covers.
#ifndef S3ML_CRYPTO_X509_CRL_H_
#define S3ML_CRYPTO_X509_CRL_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/ec_key.h"
#include "crypto/openssl_util.h"
#include "crypto/x509_certificate.h"

namespace s3ml::crypto {

class X509Crl {
 public:
  static Result<X509Crl> FromDer(std::span<const uint8_t> der);
  static Result<X509Crl> FromPem(std::string_view pem);
  // Takes an existing handle (for CRL builders).
  static X509Crl FromHandle(X509CrlPtr crl) { return X509Crl(std::move(crl)); }

  X509Crl(const X509Crl& other);
  X509Crl& operator=(const X509Crl& other);
  X509Crl(X509Crl&&) noexcept = default;
  X509Crl& operator=(X509Crl&&) noexcept = default;

  std::string IssuerName() const;  // RFC 2253
  Result<int64_t> ThisUpdate() const;
  // nullopt when the CRL has no nextUpdate (then CheckCurrentAt refuses it: we need a bound).
  Result<std::optional<int64_t>> NextUpdate() const;
  Status CheckCurrentAt(int64_t unix_time) const;  // kOutOfRange names the bound

  bool IssuedBy(const X509Certificate& issuer) const;  // issuer name == issuer's subject
  Status VerifySignedBy(const EcKey& issuer_key) const;  // kPermissionDenied on mismatch

  bool IsRevoked(const X509Certificate& cert) const;  // by serial number
  size_t RevokedCount() const;
  std::vector<std::vector<uint8_t>> RevokedSerials() const;  // big-endian magnitudes

  std::vector<uint8_t> Der() const;
  X509_CRL* x509_crl() const { return crl_.get(); }

 private:
  explicit X509Crl(X509CrlPtr crl) : crl_(std::move(crl)) {}
  X509CrlPtr crl_;
};

}  // namespace s3ml::crypto

#endif  // S3ML_CRYPTO_X509_CRL_H_
