// X509Certificate: a parsed, immutable X.509 certificate (OpenSSL X509, reference-counted, so
// copies are cheap and share the handle).
//
// Parsing checks only the encoding; trust comes from VerifyCertificateChain
// (certificate_chain.h). Accessors return what the certificate says: names in RFC 2253 form,
// validity as Unix seconds, extensions by dotted OID as their raw DER value octets.
#ifndef S3ML_CRYPTO_X509_CERTIFICATE_H_
#define S3ML_CRYPTO_X509_CERTIFICATE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/ec_key.h"
#include "crypto/openssl_util.h"

namespace s3ml::crypto {

class X509Certificate {
 public:
  static Result<X509Certificate> FromDer(std::span<const uint8_t> der);
  // Exactly one PEM "CERTIFICATE" block (surrounding whitespace allowed).
  static Result<X509Certificate> FromPem(std::string_view pem);
  // Takes a reference to an existing handle (for builders and TLS peers).
  static X509Certificate FromHandle(X509Ptr x509) { return X509Certificate(std::move(x509)); }

  X509Certificate(const X509Certificate& other);
  X509Certificate& operator=(const X509Certificate& other);
  X509Certificate(X509Certificate&&) noexcept = default;
  X509Certificate& operator=(X509Certificate&&) noexcept = default;

  std::string SubjectName() const;  // RFC 2253, e.g. "CN=Intel SGX Root CA,O=Intel Corporation,..."
  std::string IssuerName() const;
  // The subject's commonName, or "" when it has none.
  std::string SubjectCommonName() const;
  std::vector<uint8_t> SerialNumber() const;  // big-endian magnitude
  Result<int64_t> NotBefore() const;
  Result<int64_t> NotAfter() const;
  // kOutOfRange naming the certificate and the bound when unix_time is outside its validity.
  Status CheckValidAt(int64_t unix_time) const;

  Result<EcKey> PublicKey() const;
  Result<std::vector<uint8_t>> SubjectPublicKeyInfoDer() const;
  // The extnValue octets of the extension with this dotted OID, std::nullopt if absent.
  // kInvalidArgument if the OID text is malformed or the extension appears twice.
  Result<std::optional<std::vector<uint8_t>>> ExtensionValue(std::string_view dotted_oid) const;

  // Checks this certificate's signature with issuer_key (kPermissionDenied on mismatch).
  Status VerifySignedBy(const EcKey& issuer_key) const;
  bool IssuedBy(const X509Certificate& issuer) const;  // issuer name == issuer's subject name

  std::vector<uint8_t> Der() const;
  Result<std::string> Pem() const;
  X509* x509() const { return x509_.get(); }

 private:
  explicit X509Certificate(X509Ptr x509) : x509_(std::move(x509)) {}
  X509Ptr x509_;
};

// The DER bytes of every CERTIFICATE block of a PEM bundle, in order, without parsing them (so
// callers can reuse certificates they already parsed: OpenSSL 3.0's d2i_X509 is costly). Fails on
// an empty bundle, a malformed block, or non-whitespace text between/after blocks.
Result<std::vector<std::vector<uint8_t>>> SplitPemCertificates(std::string_view pem, size_t max_certificates = 16);

// Every CERTIFICATE block of a PEM bundle, in order, parsed. Fails on an empty bundle, a malformed block,
// or non-whitespace text between/after blocks. max_certificates bounds the work done on input.
Result<std::vector<X509Certificate>> ParsePemCertificateChain(std::string_view pem,
                                                              size_t max_certificates = 16);

}  // namespace s3ml::crypto

#endif  // S3ML_CRYPTO_X509_CERTIFICATE_H_
