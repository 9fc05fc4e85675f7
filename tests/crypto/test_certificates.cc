#include "test_certificates.h"

#include <openssl/x509v3.h>

#include <cstdlib>

namespace s3ml::crypto::testing {
namespace {

void Check(bool ok) {
  if (!ok) std::abort();  // test helper: a failure here is a bug in the test
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  Check(ext != nullptr);
  Check(X509_add_ext(cert, ext, -1) == 1);
  X509_EXTENSION_free(ext);
}

}  // namespace

X509Certificate MakeCertificate(const std::string& cn, const EcKey& subject_key, const X509Certificate* issuer,
                                const EcKey& issuer_key, int64_t not_before, int64_t not_after, long serial,
                                bool is_ca) {
  X509Ptr cert(X509_new());
  Check(X509_set_version(cert.get(), 2) == 1);
  Check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial) == 1);
  X509_NAME* name = X509_get_subject_name(cert.get());
  Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                                   -1, 0) == 1);
  Check(X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer->x509()) : name) == 1);
  Check(ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(not_before)) != nullptr);
  Check(ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(not_after)) != nullptr);
  Check(X509_set_pubkey(cert.get(), subject_key.evp_pkey()) == 1);
  X509* issuer_x509 = issuer ? issuer->x509() : cert.get();
  AddExtension(cert.get(), issuer_x509, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  AddExtension(cert.get(), issuer_x509, NID_key_usage, is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  AddExtension(cert.get(), issuer_x509, NID_subject_key_identifier, "hash");
  Check(X509_sign(cert.get(), issuer_key.evp_pkey(), EVP_sha256()) > 0);
  return X509Certificate::FromHandle(std::move(cert));
}

X509Crl MakeCrl(const X509Certificate& issuer, const EcKey& issuer_key, int64_t this_update, int64_t next_update,
                const std::vector<long>& revoked_serials) {
  X509CrlPtr crl(X509_CRL_new());
  Check(X509_CRL_set_version(crl.get(), 1) == 1);
  Check(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.x509())) == 1);
  OpenSslPtr<ASN1_TIME, ASN1_TIME_free> t(ASN1_TIME_set(nullptr, static_cast<time_t>(this_update)));
  OpenSslPtr<ASN1_TIME, ASN1_TIME_free> n(ASN1_TIME_set(nullptr, static_cast<time_t>(next_update)));
  Check(X509_CRL_set1_lastUpdate(crl.get(), t.get()) == 1);
  Check(X509_CRL_set1_nextUpdate(crl.get(), n.get()) == 1);
  for (long serial : revoked_serials) {
    X509_REVOKED* r = X509_REVOKED_new();
    OpenSslPtr<ASN1_INTEGER, ASN1_INTEGER_free> s(ASN1_INTEGER_new());
    Check(ASN1_INTEGER_set(s.get(), serial) == 1);
    Check(X509_REVOKED_set_serialNumber(r, s.get()) == 1);
    Check(X509_REVOKED_set_revocationDate(r, t.get()) == 1);
    Check(X509_CRL_add0_revoked(crl.get(), r) == 1);
  }
  Check(X509_CRL_sort(crl.get()) == 1);
  Check(X509_CRL_sign(crl.get(), issuer_key.evp_pkey(), EVP_sha256()) > 0);
  unsigned char* der = nullptr;
  int len = i2d_X509_CRL(crl.get(), &der);
  Check(len > 0);
  std::vector<uint8_t> bytes(der, der + len);
  OPENSSL_free(der);
  auto parsed = X509Crl::FromDer(bytes);
  Check(parsed.ok());
  return std::move(parsed).value();
}

}  // namespace s3ml::crypto::testing
