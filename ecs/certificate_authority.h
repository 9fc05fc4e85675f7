// CertificateAuthority: the ECS's s3ml PKI (docs/protocol.md "Provisioning").
//
//   root CA        EC P-384, self-signed, 10 years: the one certificate clients pin
//   intermediate   EC P-384, signed by the root, 1 year; signs service certificates; re-issued
//                  (new key) when less than a third of its lifetime remains
//   service key    EC P-256, generated once, shared by every model server
//   service cert   SANs = manifest service_names, not_after = now + manifest lifetime, issued
//                  afresh at each provisioning; renew_after = now + 2/3 lifetime
//
// CreateCertificateAuthority fills a fresh EcsState at first boot. A CertificateAuthority object
// holds the parsed keys of a state (parsing PEM keys is costly, issuing happens per request); it is
// immutable and thread-safe, rebuild it after RenewIntermediateIfDue changed the state.
#ifndef S3ML_ECS_CERTIFICATE_AUTHORITY_H_
#define S3ML_ECS_CERTIFICATE_AUTHORITY_H_

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "crypto/ec_key.h"
#include "crypto/x509_certificate.h"
#include "ecs/ecs_state.h"
#include "ecs/manifest.h"

namespace s3ml::ecs {

inline constexpr int64_t kRootCaLifetime = 10 * 365 * 24 * 3600;
inline constexpr int64_t kIntermediateLifetime = 365 * 24 * 3600;
// Certificates start this much before "now" to tolerate clients' clock skew.
inline constexpr int64_t kCertificateBackdate = 300;

// Generates root, intermediate and service key into `state` (which must have none yet).
Status CreateCertificateAuthority(EcsState& state, int64_t now);

// Re-issues the intermediate (new P-384 key, signed by the root) when less than a third of its
// lifetime remains at `now`. Returns whether the state changed.
Result<bool> RenewIntermediateIfDue(EcsState& state, int64_t now);

struct ServiceCertificate {
  std::string chain_pem;  // leaf, then intermediate
  int64_t not_after = 0;
  int64_t renew_after = 0;
};

class CertificateAuthority {
 public:
  static Result<std::shared_ptr<const CertificateAuthority>> FromState(const EcsState& state);

  Result<ServiceCertificate> IssueServiceCertificate(const Manifest& manifest, int64_t now) const;

  const std::string& root_pem() const { return root_pem_; }
  const std::vector<uint8_t>& root_der() const { return root_der_; }
  const crypto::X509Certificate& root() const { return root_; }
  const crypto::X509Certificate& intermediate() const { return intermediate_; }

 private:
  CertificateAuthority(crypto::X509Certificate root, std::string root_pem, crypto::X509Certificate intermediate,
                       std::string intermediate_pem, crypto::EcKey intermediate_key, crypto::EcKey service_key);

  crypto::X509Certificate root_;
  std::string root_pem_;
  std::vector<uint8_t> root_der_;
  crypto::X509Certificate intermediate_;
  std::string intermediate_pem_;
  crypto::EcKey intermediate_key_;
  crypto::EcKey service_key_;  // public half used for the certificates
};

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_CERTIFICATE_AUTHORITY_H_
