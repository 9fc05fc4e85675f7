// X509Builder: issues X.509 v3 certificates signed with an EcKey (simulated SGX platform CAs, PCK
// certificates, RA-TLS and ECS certificates).
//
// Set the fields, then Build(signer). Names are ordered lists of (attribute, value) pairs such as
// {{"CN", "s3ml Simulated SGX Root CA"}, {"O", "s3ml"}}. Without an issuer the certificate is
// self-issued (issuer = subject). Subject and authority key identifiers are always added. Every
// setter only records; Build reports the first problem (bad name attribute, missing key, bad OID
// text, validity that ends before it starts) as kInvalidArgument naming the field.
#ifndef S3ML_CRYPTO_X509_BUILDER_H_
#define S3ML_CRYPTO_X509_BUILDER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "crypto/ec_key.h"
#include "crypto/x509_certificate.h"

namespace s3ml::crypto {

using DistinguishedName = std::vector<std::pair<std::string, std::string>>;

// KeyUsage bits (RFC 5280 section 4.2.1.3), OR-ed together.
enum KeyUsageBit : unsigned {
  kKeyUsageDigitalSignature = 1u << 0,
  kKeyUsageNonRepudiation = 1u << 1,
  kKeyUsageKeyEncipherment = 1u << 2,
  kKeyUsageKeyAgreement = 1u << 4,
  kKeyUsageKeyCertSign = 1u << 5,
  kKeyUsageCrlSign = 1u << 6,
};

class X509Builder {
 public:
  X509Builder& SetSubject(DistinguishedName name);
  // Issuer name and authority key identifier taken from the issuing CA's certificate.
  X509Builder& SetIssuer(const X509Certificate& issuer);
  // Big-endian magnitude; empty = 16 random bytes (top bit cleared so it stays positive).
  X509Builder& SetSerialNumber(std::vector<uint8_t> serial);
  X509Builder& SetValidity(int64_t not_before_unix, int64_t not_after_unix);
  X509Builder& SetPublicKey(const EcKey& subject_key);
  // Marked critical, as CA/B and Intel's certificates do.
  X509Builder& SetKeyUsage(unsigned key_usage_bits);
  X509Builder& SetBasicConstraints(bool is_ca, std::optional<int> path_length = std::nullopt);
  X509Builder& AddSubjectAltNameDns(std::string dns_name);
  X509Builder& AddSubjectAltNameIp(std::string ip_address);
  // An extension given by dotted OID and the DER of its value (the extnValue contents).
  X509Builder& AddExtension(std::string dotted_oid, std::vector<uint8_t> der_value, bool critical = false);

  // REQUIRES: subject, validity and public key set. Signs with SHA-256 (P-256) or SHA-384 (P-384).
  Result<X509Certificate> Build(const EcKey& signer) const;

 private:
  struct RawExtension {
    std::string oid;
    std::vector<uint8_t> der;
    bool critical;
  };

  DistinguishedName subject_;
  std::optional<X509Certificate> issuer_;
  std::vector<uint8_t> serial_;
  std::optional<std::pair<int64_t, int64_t>> validity_;
  std::optional<EcKey> public_key_;
  unsigned key_usage_ = 0;
  std::optional<std::pair<bool, std::optional<int>>> basic_constraints_;
  std::vector<std::string> san_dns_;
  std::vector<std::string> san_ip_;
  std::vector<RawExtension> extensions_;
};

}  // namespace s3ml::crypto

#endif  // S3ML_CRYPTO_X509_BUILDER_H_
