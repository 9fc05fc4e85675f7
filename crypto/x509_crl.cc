#include "crypto/x509_crl.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include "core/time_format.h"

namespace s3ml::crypto {
namespace {

X509CrlPtr UpRef(X509_CRL* c) {
  if (c != nullptr) X509_CRL_up_ref(c);
  return X509CrlPtr(c);
}

}  // namespace

X509Crl::X509Crl(const X509Crl& other) : crl_(UpRef(other.crl_.get())) {}

X509Crl& X509Crl::operator=(const X509Crl& other) {
  if (this != &other) crl_ = UpRef(other.crl_.get());
  return *this;
}

Result<X509Crl> X509Crl::FromDer(std::span<const uint8_t> der) {
  S3ML_RETURN_IF_ERROR(CheckIntSize(der.size(), "DER CRL"));
  const unsigned char* p = der.data();
  X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl) return OpenSslFailure(StatusCode::kInvalidArgument, "malformed DER CRL");
  if (p != der.data() + der.size()) return InvalidArgument("trailing bytes after DER CRL");
  return X509Crl(std::move(crl));
}

Result<X509Crl> X509Crl::FromPem(std::string_view pem) {
  BioPtr bio = MemoryBio(AsBytes(pem));
  if (!bio) return ResourceExhausted("PEM CRL is too large");
  X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) return OpenSslFailure(StatusCode::kInvalidArgument, "malformed PEM CRL");
  return X509Crl(std::move(crl));
}

std::string X509Crl::IssuerName() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  X509_NAME_print_ex(bio.get(), X509_CRL_get_issuer(crl_.get()), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return BioContents(bio.get());
}

Result<int64_t> X509Crl::ThisUpdate() const { return Asn1TimeToUnix(X509_CRL_get0_lastUpdate(crl_.get())); }

Result<std::optional<int64_t>> X509Crl::NextUpdate() const {
  const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl_.get());
  if (next == nullptr) return std::optional<int64_t>();
  S3ML_ASSIGN_OR_RETURN(int64_t t, Asn1TimeToUnix(next));
  return std::optional<int64_t>(t);
}

Status X509Crl::CheckCurrentAt(int64_t unix_time) const {
  S3ML_ASSIGN_OR_RETURN(int64_t this_update, ThisUpdate());
  S3ML_ASSIGN_OR_RETURN(auto next_update, NextUpdate());
  if (unix_time < this_update) {
    return OutOfRange("CRL of '" + IssuerName() + "' is not yet valid: thisUpdate " +
                      FormatRfc3339(this_update) + " is after " + FormatRfc3339(unix_time));
  }
  if (!next_update) return OutOfRange("CRL of '" + IssuerName() + "' has no nextUpdate");
  if (unix_time > *next_update) {
    return OutOfRange("CRL of '" + IssuerName() + "' expired: nextUpdate " + FormatRfc3339(*next_update) +
                      " is before " + FormatRfc3339(unix_time));
  }
  return Status::Ok();
}

bool X509Crl::IssuedBy(const X509Certificate& issuer) const {
  return X509_NAME_cmp(X509_CRL_get_issuer(crl_.get()), X509_get_subject_name(issuer.x509())) == 0;
}

Status X509Crl::VerifySignedBy(const EcKey& issuer_key) const {
  if (X509_CRL_verify(crl_.get(), issuer_key.evp_pkey()) == 1) return Status::Ok();
  DrainOpenSslErrors("");
  return PermissionDenied("signature of the CRL of '" + IssuerName() + "' does not verify");
}

bool X509Crl::IsRevoked(const X509Certificate& cert) const {
  X509_REVOKED* entry = nullptr;
  // X509_CRL_get0_by_cert also compares the issuer name; match on serial alone, as Intel's QVL
  // does, after the caller checked that this CRL belongs to the certificate's issuer.
  int rc = X509_CRL_get0_by_serial(crl_.get(), &entry, X509_get0_serialNumber(cert.x509()));
  return rc == 1 || rc == 2;
}

size_t X509Crl::RevokedCount() const {
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl_.get());
  return revoked == nullptr ? 0 : static_cast<size_t>(sk_X509_REVOKED_num(revoked));
}

std::vector<std::vector<uint8_t>> X509Crl::RevokedSerials() const {
  std::vector<std::vector<uint8_t>> out;
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl_.get());
  if (revoked == nullptr) return out;
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    const ASN1_INTEGER* serial = X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i));
    BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
    if (!bn) continue;
    std::vector<uint8_t> bytes(static_cast<size_t>(BN_num_bytes(bn.get())));
    BN_bn2bin(bn.get(), bytes.data());
    out.push_back(std::move(bytes));
  }
  return out;
}

std::vector<uint8_t> X509Crl::Der() const {
  unsigned char* der = nullptr;
  int len = i2d_X509_CRL(crl_.get(), &der);
  if (len <= 0) return {};
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace s3ml::crypto
