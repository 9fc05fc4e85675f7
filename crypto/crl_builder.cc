#include "crypto/crl_builder.h"

#include <openssl/x509v3.h>

namespace s3ml::crypto {
namespace {

using X509RevokedPtr = OpenSslPtr<X509_REVOKED, X509_REVOKED_free>;
using Asn1IntegerPtr = OpenSslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1TimePtr = OpenSslPtr<ASN1_TIME, ASN1_TIME_free>;

Result<Asn1IntegerPtr> ToAsn1Integer(std::span<const uint8_t> magnitude, const char* what) {
  if (magnitude.empty()) return InvalidArgument(std::string(what) + " is empty");
  S3ML_RETURN_IF_ERROR(CheckIntSize(magnitude.size(), what));
  BignumPtr bn(BN_bin2bn(magnitude.data(), static_cast<int>(magnitude.size()), nullptr));
  if (!bn) return OpenSslFailure(StatusCode::kInternal, "BN_bin2bn");
  Asn1IntegerPtr i(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!i) return OpenSslFailure(StatusCode::kInternal, "BN_to_ASN1_INTEGER");
  return i;
}

Result<Asn1TimePtr> ToAsn1Time(int64_t unix_time, const char* what) {
  Asn1TimePtr t(ASN1_TIME_set(nullptr, static_cast<time_t>(unix_time)));
  if (!t) return OpenSslFailure(StatusCode::kInvalidArgument, what);
  return t;
}

}  // namespace

CrlBuilder& CrlBuilder::SetIssuer(const X509Certificate& issuer) {
  issuer_ = issuer;
  return *this;
}
CrlBuilder& CrlBuilder::SetUpdateTimes(int64_t this_update_unix, int64_t next_update_unix) {
  updates_ = {this_update_unix, next_update_unix};
  return *this;
}
CrlBuilder& CrlBuilder::SetCrlNumber(uint64_t number) {
  crl_number_ = number;
  return *this;
}
CrlBuilder& CrlBuilder::AddRevoked(std::vector<uint8_t> serial, int64_t revocation_unix) {
  revoked_.push_back({std::move(serial), revocation_unix});
  return *this;
}

Result<X509Crl> CrlBuilder::Build(const EcKey& signer) const {
  if (!issuer_) return InvalidArgument("CRL issuer is not set");
  if (!updates_) return InvalidArgument("CRL thisUpdate/nextUpdate are not set");
  if (updates_->second < updates_->first) return InvalidArgument("CRL nextUpdate is before thisUpdate");
  if (!signer.has_private_key()) return InvalidArgument("CRL signer key has no private half");

  X509CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), 1) != 1) return OpenSslFailure(StatusCode::kInternal, "X509_CRL_new");
  if (X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer_->x509())) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "CRL issuer name");
  }
  S3ML_ASSIGN_OR_RETURN(Asn1TimePtr this_update, ToAsn1Time(updates_->first, "CRL thisUpdate"));
  S3ML_ASSIGN_OR_RETURN(Asn1TimePtr next_update, ToAsn1Time(updates_->second, "CRL nextUpdate"));
  if (X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "CRL update times");
  }
  for (const Revoked& r : revoked_) {
    X509RevokedPtr entry(X509_REVOKED_new());
    if (!entry) return OpenSslFailure(StatusCode::kInternal, "X509_REVOKED_new");
    S3ML_ASSIGN_OR_RETURN(Asn1IntegerPtr serial, ToAsn1Integer(r.serial, "revoked serial number"));
    S3ML_ASSIGN_OR_RETURN(Asn1TimePtr when, ToAsn1Time(r.when, "revocation date"));
    if (X509_REVOKED_set_serialNumber(entry.get(), serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(entry.get(), when.get()) != 1) {
      return OpenSslFailure(StatusCode::kInternal, "revoked entry");
    }
    if (X509_CRL_add0_revoked(crl.get(), entry.get()) != 1)
      return OpenSslFailure(StatusCode::kInternal, "X509_CRL_add0_revoked");
    entry.release();  // now owned by the CRL
  }
  if (crl_number_) {
    BignumPtr bn(BN_new());
    if (!bn || BN_set_word(bn.get(), *crl_number_) != 1) return OpenSslFailure(StatusCode::kInternal, "CRL number");
    Asn1IntegerPtr number(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    if (!number || X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) != 1) {
      return OpenSslFailure(StatusCode::kInternal, "CRL number extension");
    }
  }
  if (X509_CRL_sort(crl.get()) != 1) return OpenSslFailure(StatusCode::kInternal, "X509_CRL_sort");
  if (X509_CRL_sign(crl.get(), signer.evp_pkey(), EvpMd(EcDigest(signer.curve()))) <= 0) {
    return OpenSslFailure(StatusCode::kInternal, "signing the CRL");
  }
  // Round-trip through DER: X509Crl's constructor is private and this also checks the encoding.
  unsigned char* der = nullptr;
  int len = i2d_X509_CRL(crl.get(), &der);
  if (len <= 0) return OpenSslFailure(StatusCode::kInternal, "encoding the CRL");
  std::vector<uint8_t> bytes(der, der + len);
  OPENSSL_free(der);
  return X509Crl::FromDer(bytes);
}

}  // namespace s3ml::crypto
