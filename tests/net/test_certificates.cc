#include "tests/net/test_certificates.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace s3ml::net::testing {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificate generation failed at ") + what);
}

struct Deleters {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Deleters>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

Ptr<EVP_PKEY> NewKey() {
  Ptr<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  Check(key != nullptr, "EVP_PKEY_Q_keygen");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, std::string_view value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, std::string(value).c_str()));
  Check(ext != nullptr, "X509V3_EXT_conf_nid");
  Check(X509_add_ext(cert, ext.get(), -1) == 1, "X509_add_ext");
}

// Builds and signs a certificate; issuer_cert/issuer_key null means self-signed.
TestIdentity Build(std::string_view common_name, bool is_ca, std::string_view sans, X509* issuer_cert,
                   EVP_PKEY* issuer_key, long not_before, long not_after, std::string_view extended_usage) {
  Ptr<EVP_PKEY> key = NewKey();
  Ptr<X509> cert(X509_new());
  Check(cert != nullptr, "X509_new");
  Check(X509_set_version(cert.get(), 2) == 1, "X509_set_version");
  unsigned char serial_bytes[16];
  Check(RAND_bytes(serial_bytes, sizeof(serial_bytes)) == 1, "RAND_bytes");
  serial_bytes[0] &= 0x7f;
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr);
  Check(serial != nullptr && BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get())) != nullptr, "serial");
  BN_free(serial);
  Check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before) != nullptr, "notBefore");
  Check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after) != nullptr, "notAfter");
  X509_NAME* name = X509_get_subject_name(cert.get());
  Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(std::string(common_name).c_str()), -1,
                                   -1, 0) == 1,
        "subject CN");
  X509* issuer = issuer_cert ? issuer_cert : cert.get();
  Check(X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer)) == 1, "issuer name");
  Check(X509_set_pubkey(cert.get(), key.get()) == 1, "X509_set_pubkey");
  AddExtension(cert.get(), issuer, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  AddExtension(cert.get(), issuer, NID_key_usage,
               is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  AddExtension(cert.get(), issuer, NID_subject_key_identifier, "hash");
  if (issuer_cert != nullptr) AddExtension(cert.get(), issuer, NID_authority_key_identifier, "keyid:always");
  if (!sans.empty()) AddExtension(cert.get(), issuer, NID_subject_alt_name, sans);
  if (!extended_usage.empty()) AddExtension(cert.get(), issuer, NID_ext_key_usage, extended_usage);
  Check(X509_sign(cert.get(), issuer_key ? issuer_key : key.get(), EVP_sha256()) > 0, "X509_sign");

  TestIdentity id;
  Ptr<BIO> cert_bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_X509(cert_bio.get(), cert.get()) == 1, "PEM_write_bio_X509");
  id.certificate_pem = BioText(cert_bio.get());
  Ptr<BIO> key_bio(BIO_new(BIO_s_mem()));
  Check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  id.private_key_pem = BioText(key_bio.get());
  int len = i2d_X509(cert.get(), nullptr);
  Check(len > 0, "i2d_X509");
  id.certificate_der.resize(static_cast<size_t>(len));
  unsigned char* out = id.certificate_der.data();
  Check(i2d_X509(cert.get(), &out) == len, "i2d_X509");
  return id;
}

Ptr<X509> ParseCert(const std::string& pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Ptr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  Check(cert != nullptr, "parse issuer certificate");
  return cert;
}

Ptr<EVP_PKEY> ParseKey(const std::string& pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  Check(key != nullptr, "parse issuer key");
  return key;
}

}  // namespace

TestIdentity MakeLeaf(const TestIdentity& issuer, std::string_view common_name, std::string_view sans,
                      long not_before_offset_s, long not_after_offset_s) {
  Ptr<X509> issuer_cert = ParseCert(issuer.certificate_pem);
  Ptr<EVP_PKEY> issuer_key = ParseKey(issuer.private_key_pem);
  return Build(common_name, false, sans, issuer_cert.get(), issuer_key.get(), not_before_offset_s,
               not_after_offset_s, "serverAuth,clientAuth");
}

TestPki MakeTestPki(std::string_view label, std::string_view client_name) {
  TestPki pki;
  pki.ca = Build(std::string(label) + " root CA", true, "", nullptr, nullptr, -3600, 86400, "");
  pki.server = MakeLeaf(pki.ca, "localhost", "DNS:localhost,IP:127.0.0.1");
  pki.client = MakeLeaf(pki.ca, client_name, "");
  return pki;
}

TestIdentity MakeSelfSigned(std::string_view common_name, std::string_view sans) {
  return Build(common_name, false, sans, nullptr, nullptr, -3600, 86400, "serverAuth,clientAuth");
}

}  // namespace s3ml::net::testing
