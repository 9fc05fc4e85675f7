#include "crypto/x509_certificate.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "core/time_format.h"

namespace s3ml::crypto {
namespace {

std::string NameToString(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || name == nullptr) return {};
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return BioContents(bio.get());
}

X509Ptr UpRef(X509* x) {
  if (x != nullptr) X509_up_ref(x);
  return X509Ptr(x);
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

X509Certificate::X509Certificate(const X509Certificate& other) : x509_(UpRef(other.x509_.get())) {}

X509Certificate& X509Certificate::operator=(const X509Certificate& other) {
  if (this != &other) x509_ = UpRef(other.x509_.get());
  return *this;
}

Result<X509Certificate> X509Certificate::FromDer(std::span<const uint8_t> der) {
  S3ML_RETURN_IF_ERROR(CheckIntSize(der.size(), "DER certificate"));
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) return OpenSslFailure(StatusCode::kInvalidArgument, "malformed DER certificate");
  if (p != der.data() + der.size()) return InvalidArgument("trailing bytes after DER certificate");
  return X509Certificate(std::move(x));
}

Result<X509Certificate> X509Certificate::FromPem(std::string_view pem) {
  S3ML_ASSIGN_OR_RETURN(auto chain, ParsePemCertificateChain(pem, 1));
  return std::move(chain.front());
}

std::string X509Certificate::SubjectName() const { return NameToString(X509_get_subject_name(x509_.get())); }
std::string X509Certificate::IssuerName() const { return NameToString(X509_get_issuer_name(x509_.get())); }

std::string X509Certificate::SubjectCommonName() const {
  X509_NAME* name = X509_get_subject_name(x509_.get());
  int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (idx < 0) return {};
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, data);
  if (len < 0) {
    ERR_clear_error();
    return {};
  }
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

std::vector<uint8_t> X509Certificate::SerialNumber() const {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509_.get()), nullptr));
  if (!bn) return {};
  std::vector<uint8_t> out(static_cast<size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

Result<int64_t> X509Certificate::NotBefore() const { return Asn1TimeToUnix(X509_get0_notBefore(x509_.get())); }
Result<int64_t> X509Certificate::NotAfter() const { return Asn1TimeToUnix(X509_get0_notAfter(x509_.get())); }

Status X509Certificate::CheckValidAt(int64_t unix_time) const {
  S3ML_ASSIGN_OR_RETURN(int64_t not_before, NotBefore());
  S3ML_ASSIGN_OR_RETURN(int64_t not_after, NotAfter());
  if (unix_time < not_before) {
    return OutOfRange("certificate '" + SubjectCommonName() + "' is not yet valid: notBefore " +
                      FormatRfc3339(not_before) + " is after " + FormatRfc3339(unix_time));
  }
  if (unix_time > not_after) {
    return OutOfRange("certificate '" + SubjectCommonName() + "' expired: notAfter " +
                      FormatRfc3339(not_after) + " is before " + FormatRfc3339(unix_time));
  }
  return Status::Ok();
}

Result<EcKey> X509Certificate::PublicKey() const {
  EVP_PKEY* pkey = X509_get_pubkey(x509_.get());  // new reference
  if (pkey == nullptr) return OpenSslFailure(StatusCode::kInvalidArgument, "certificate public key is unreadable");
  return EcKey::FromEvpPkey(EvpPkeyPtr(pkey));
}

Result<std::vector<uint8_t>> X509Certificate::SubjectPublicKeyInfoDer() const {
  unsigned char* der = nullptr;
  int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x509_.get()), &der);
  if (len <= 0) return OpenSslFailure(StatusCode::kInvalidArgument, "certificate public key is unreadable");
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<std::optional<std::vector<uint8_t>>> X509Certificate::ExtensionValue(std::string_view dotted_oid) const {
  std::string oid_text(dotted_oid);
  Asn1ObjectPtr oid(OBJ_txt2obj(oid_text.c_str(), 1));
  if (!oid) return OpenSslFailure(StatusCode::kInvalidArgument, "malformed OID " + oid_text);
  int idx = X509_get_ext_by_OBJ(x509_.get(), oid.get(), -1);
  if (idx < 0) return std::optional<std::vector<uint8_t>>();
  if (X509_get_ext_by_OBJ(x509_.get(), oid.get(), idx) >= 0) {
    return InvalidArgument("certificate has extension " + oid_text + " more than once");
  }
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(X509_get_ext(x509_.get(), idx));
  const uint8_t* data = ASN1_STRING_get0_data(value);
  return std::optional<std::vector<uint8_t>>(
      std::vector<uint8_t>(data, data + ASN1_STRING_length(value)));
}

Status X509Certificate::VerifySignedBy(const EcKey& issuer_key) const {
  int rc = X509_verify(x509_.get(), issuer_key.evp_pkey());
  if (rc == 1) return Status::Ok();
  DrainOpenSslErrors("");
  return PermissionDenied("signature of certificate '" + SubjectCommonName() + "' does not verify");
}

bool X509Certificate::IssuedBy(const X509Certificate& issuer) const {
  return X509_NAME_cmp(X509_get_issuer_name(x509_.get()), X509_get_subject_name(issuer.x509())) == 0;
}

std::vector<uint8_t> X509Certificate::Der() const {
  unsigned char* der = nullptr;
  int len = i2d_X509(x509_.get(), &der);
  if (len <= 0) return {};
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<std::string> X509Certificate::Pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x509_.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "PEM certificate encoding failed");
  }
  return BioContents(bio.get());
}

Result<std::vector<std::vector<uint8_t>>> SplitPemCertificates(std::string_view pem, size_t max_certificates) {
  static constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  static constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
  std::vector<std::vector<uint8_t>> blocks;
  size_t pos = 0;
  while (true) {
    size_t begin = pem.find(kBegin, pos);
    if (begin == std::string_view::npos) {
      if (!IsBlank(pem.substr(pos))) return InvalidArgument("unexpected text after the last PEM certificate");
      break;
    }
    if (!IsBlank(pem.substr(pos, begin - pos))) return InvalidArgument("unexpected text before a PEM certificate");
    size_t end = pem.find(kEnd, begin);
    if (end == std::string_view::npos) return InvalidArgument("PEM certificate " + std::to_string(blocks.size()) + " has no END line");
    end += kEnd.size();
    if (blocks.size() == max_certificates) {
      return ResourceExhausted("PEM bundle has more than " + std::to_string(max_certificates) + " certificates");
    }
    BioPtr bio = MemoryBio(AsBytes(pem.substr(begin, end - begin)));
    if (!bio) return ResourceExhausted("PEM certificate is too large");
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    int ok = PEM_read_bio(bio.get(), &name, &header, &data, &len);
    std::vector<uint8_t> der;
    if (ok == 1 && len > 0) der.assign(data, data + len);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (ok != 1 || der.empty()) {
      return OpenSslFailure(StatusCode::kInvalidArgument, "malformed PEM certificate " + std::to_string(blocks.size()));
    }
    blocks.push_back(std::move(der));
    pos = end;
  }
  if (blocks.empty()) return InvalidArgument("no PEM certificate found");
  return blocks;
}

Result<std::vector<X509Certificate>> ParsePemCertificateChain(std::string_view pem, size_t max_certificates) {
  S3ML_ASSIGN_OR_RETURN(auto blocks, SplitPemCertificates(pem, max_certificates));
  std::vector<X509Certificate> chain;
  for (size_t i = 0; i < blocks.size(); ++i) {
    auto cert = X509Certificate::FromDer(blocks[i]);
    if (!cert.ok()) return cert.status().WithContext("PEM certificate " + std::to_string(i));
    chain.push_back(std::move(cert).value());
  }
  return chain;
}

}  // namespace s3ml::crypto
