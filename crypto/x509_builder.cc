#include "crypto/x509_builder.h"

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "crypto/random.h"

namespace s3ml::crypto {
namespace {

using X509NamePtr = OpenSslPtr<X509_NAME, X509_NAME_free>;
using X509ExtensionPtr = OpenSslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using Asn1IntegerPtr = OpenSslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1OctetStringPtr = OpenSslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;

Result<X509NamePtr> BuildName(const DistinguishedName& entries, const char* what) {
  if (entries.empty()) return InvalidArgument(std::string(what) + " name is empty");
  X509NamePtr name(X509_NAME_new());
  if (!name) return OpenSslFailure(StatusCode::kInternal, "X509_NAME_new");
  for (const auto& [field, value] : entries) {
    if (X509_NAME_add_entry_by_txt(name.get(), field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0) != 1) {
      return OpenSslFailure(StatusCode::kInvalidArgument,
                            std::string(what) + " name attribute '" + field + "' is not valid");
    }
  }
  return name;
}

// Adds one extension in OpenSSL's configuration syntax ("critical,CA:TRUE"), with ctx giving
// the subject and issuer for key identifiers.
Status AddConfExtension(X509* x, X509V3_CTX* ctx, int nid, const std::string& value) {
  X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext)
    return OpenSslFailure(StatusCode::kInvalidArgument,
                          std::string("extension ") + OBJ_nid2sn(nid) + " '" + value + "'");
  if (X509_add_ext(x, ext.get(), -1) != 1) return OpenSslFailure(StatusCode::kInternal, "X509_add_ext");
  return Status::Ok();
}

std::string KeyUsageText(unsigned bits) {
  std::string text = "critical";
  const std::pair<unsigned, const char*> names[] = {
      {kKeyUsageDigitalSignature, "digitalSignature"}, {kKeyUsageNonRepudiation, "nonRepudiation"},
      {kKeyUsageKeyEncipherment, "keyEncipherment"},   {kKeyUsageKeyAgreement, "keyAgreement"},
      {kKeyUsageKeyCertSign, "keyCertSign"},           {kKeyUsageCrlSign, "cRLSign"}};
  for (const auto& [bit, name] : names) {
    if (bits & bit) text += std::string(",") + name;
  }
  return text;
}

}  // namespace

X509Builder& X509Builder::SetSubject(DistinguishedName name) {
  subject_ = std::move(name);
  return *this;
}
X509Builder& X509Builder::SetIssuer(const X509Certificate& issuer) {
  issuer_ = issuer;
  return *this;
}
X509Builder& X509Builder::SetSerialNumber(std::vector<uint8_t> serial) {
  serial_ = std::move(serial);
  return *this;
}
X509Builder& X509Builder::SetValidity(int64_t not_before_unix, int64_t not_after_unix) {
  validity_ = {not_before_unix, not_after_unix};
  return *this;
}
X509Builder& X509Builder::SetPublicKey(const EcKey& subject_key) {
  auto pub = subject_key.PublicKey();
  if (pub.ok()) public_key_.emplace(std::move(pub).value());
  return *this;
}
X509Builder& X509Builder::SetKeyUsage(unsigned key_usage_bits) {
  key_usage_ = key_usage_bits;
  return *this;
}
X509Builder& X509Builder::SetBasicConstraints(bool is_ca, std::optional<int> path_length) {
  basic_constraints_ = {is_ca, path_length};
  return *this;
}
X509Builder& X509Builder::AddSubjectAltNameDns(std::string dns_name) {
  san_dns_.push_back(std::move(dns_name));
  return *this;
}
X509Builder& X509Builder::AddSubjectAltNameIp(std::string ip_address) {
  san_ip_.push_back(std::move(ip_address));
  return *this;
}
X509Builder& X509Builder::AddExtension(std::string dotted_oid, std::vector<uint8_t> der_value, bool critical) {
  extensions_.push_back({std::move(dotted_oid), std::move(der_value), critical});
  return *this;
}

Result<X509Certificate> X509Builder::Build(const EcKey& signer) const {
  if (!public_key_) return InvalidArgument("certificate public key is not set");
  if (!validity_) return InvalidArgument("certificate validity is not set");
  if (validity_->second < validity_->first) return InvalidArgument("certificate notAfter is before notBefore");
  if (!signer.has_private_key()) return InvalidArgument("certificate signer key has no private half");

  X509Ptr x(X509_new());
  if (!x) return OpenSslFailure(StatusCode::kInternal, "X509_new");
  if (X509_set_version(x.get(), X509_VERSION_3) != 1) return OpenSslFailure(StatusCode::kInternal, "X509_set_version");

  std::vector<uint8_t> serial = serial_;
  if (serial.empty()) {
    S3ML_ASSIGN_OR_RETURN(serial, RandomBytes(16));
    serial[0] = static_cast<uint8_t>((serial[0] & 0x7f) | 0x01);  // positive, and 16 bytes long
  }
  S3ML_RETURN_IF_ERROR(CheckIntSize(serial.size(), "serial number"));
  BignumPtr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
  if (!bn) return OpenSslFailure(StatusCode::kInternal, "BN_bin2bn");
  Asn1IntegerPtr serial_int(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial_int || X509_set_serialNumber(x.get(), serial_int.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "setting the serial number");
  }

  S3ML_ASSIGN_OR_RETURN(X509NamePtr subject, BuildName(subject_, "subject"));
  if (X509_set_subject_name(x.get(), subject.get()) != 1) return OpenSslFailure(StatusCode::kInternal, "subject name");
  const X509_NAME* issuer_name = issuer_ ? X509_get_subject_name(issuer_->x509()) : subject.get();
  if (X509_set_issuer_name(x.get(), issuer_name) != 1) return OpenSslFailure(StatusCode::kInternal, "issuer name");

  if (ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(validity_->first)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(validity_->second)) == nullptr) {
    return OpenSslFailure(StatusCode::kInvalidArgument, "certificate validity");
  }
  if (X509_set_pubkey(x.get(), public_key_->evp_pkey()) != 1)
    return OpenSslFailure(StatusCode::kInternal, "X509_set_pubkey");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer_ ? issuer_->x509() : x.get(), x.get(), nullptr, nullptr, 0);
  S3ML_RETURN_IF_ERROR(AddConfExtension(x.get(), &ctx, NID_subject_key_identifier, "hash"));
  // For a self-issued certificate the authority key id is its own subject key id (just added).
  S3ML_RETURN_IF_ERROR(AddConfExtension(x.get(), &ctx, NID_authority_key_identifier, "keyid:always"));
  if (basic_constraints_) {
    std::string bc = basic_constraints_->first ? "critical,CA:TRUE" : "critical,CA:FALSE";
    if (basic_constraints_->first && basic_constraints_->second) {
      if (*basic_constraints_->second < 0) return InvalidArgument("basic constraints path length is negative");
      bc += ",pathlen:" + std::to_string(*basic_constraints_->second);
    }
    S3ML_RETURN_IF_ERROR(AddConfExtension(x.get(), &ctx, NID_basic_constraints, bc));
  }
  if (key_usage_ != 0) S3ML_RETURN_IF_ERROR(AddConfExtension(x.get(), &ctx, NID_key_usage, KeyUsageText(key_usage_)));
  if (!san_dns_.empty() || !san_ip_.empty()) {
    std::string san;
    for (const auto& d : san_dns_) {
      if (d.empty() || d.find_first_of(",\n") != std::string::npos)
        return InvalidArgument("subjectAltName DNS name '" + d + "' is not valid");
      san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
    }
    for (const auto& ip : san_ip_) {
      if (ip.empty() || ip.find_first_of(",\n") != std::string::npos)
        return InvalidArgument("subjectAltName IP '" + ip + "' is not valid");
      san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
    }
    S3ML_RETURN_IF_ERROR(AddConfExtension(x.get(), &ctx, NID_subject_alt_name, san));
  }
  for (const RawExtension& e : extensions_) {
    Asn1ObjectPtr oid(OBJ_txt2obj(e.oid.c_str(), /*no_name=*/1));
    if (!oid) return OpenSslFailure(StatusCode::kInvalidArgument, "extension OID '" + e.oid + "' is not a dotted OID");
    S3ML_RETURN_IF_ERROR(CheckIntSize(e.der.size(), "extension " + e.oid));
    Asn1OctetStringPtr value(ASN1_OCTET_STRING_new());
    if (!value || ASN1_OCTET_STRING_set(value.get(), e.der.data(), static_cast<int>(e.der.size())) != 1) {
      return OpenSslFailure(StatusCode::kInternal, "extension value");
    }
    X509ExtensionPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), e.critical ? 1 : 0, value.get()));
    if (!ext || X509_add_ext(x.get(), ext.get(), -1) != 1)
      return OpenSslFailure(StatusCode::kInternal, "adding extension " + e.oid);
  }

  if (X509_sign(x.get(), signer.evp_pkey(), EvpMd(EcDigest(signer.curve()))) <= 0) {
    return OpenSslFailure(StatusCode::kInternal, "signing the certificate");
  }
  return X509Certificate::FromHandle(std::move(x));
}

}  // namespace s3ml::crypto
