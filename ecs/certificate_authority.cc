#include "ecs/certificate_authority.h"

#include <string_view>

#include "crypto/x509_builder.h"

namespace s3ml::ecs {
namespace {

std::string_view AsText(const crypto::SecretBytes& s) {
  return std::string_view(reinterpret_cast<const char*>(s.data()), s.size());
}

Result<crypto::X509Certificate> IssueIntermediate(const crypto::X509Certificate& root, const crypto::EcKey& root_key,
                                                  const crypto::EcKey& intermediate_key, int64_t now) {
  crypto::X509Builder builder;
  builder.SetSubject({{"CN", "s3ml Service Intermediate CA"}, {"O", "s3ml"}})
      .SetIssuer(root)
      .SetValidity(now - kCertificateBackdate, now + kIntermediateLifetime)
      .SetPublicKey(intermediate_key)
      .SetKeyUsage(crypto::kKeyUsageKeyCertSign | crypto::kKeyUsageCrlSign)
      .SetBasicConstraints(true, 0);
  return builder.Build(root_key);
}

}  // namespace

Status CreateCertificateAuthority(EcsState& state, int64_t now) {
  if (!state.root_ca_certificate_pem.empty()) return FailedPrecondition("the ECS state already has a root CA");
  S3ML_ASSIGN_OR_RETURN(crypto::EcKey root_key, crypto::EcKey::Generate(crypto::EcCurve::kP384));
  crypto::X509Builder root_builder;
  root_builder.SetSubject({{"CN", "s3ml Root CA"}, {"O", "s3ml"}})
      .SetValidity(now - kCertificateBackdate, now + kRootCaLifetime)
      .SetPublicKey(root_key)
      .SetKeyUsage(crypto::kKeyUsageKeyCertSign | crypto::kKeyUsageCrlSign)
      .SetBasicConstraints(true, 1);
  S3ML_ASSIGN_OR_RETURN(crypto::X509Certificate root, root_builder.Build(root_key));

  S3ML_ASSIGN_OR_RETURN(crypto::EcKey intermediate_key, crypto::EcKey::Generate(crypto::EcCurve::kP384));
  S3ML_ASSIGN_OR_RETURN(crypto::X509Certificate intermediate, IssueIntermediate(root, root_key, intermediate_key, now));
  S3ML_ASSIGN_OR_RETURN(crypto::EcKey service_key, crypto::EcKey::Generate(crypto::EcCurve::kP256));

  S3ML_ASSIGN_OR_RETURN(state.root_ca_certificate_pem, root.Pem());
  S3ML_ASSIGN_OR_RETURN(state.root_ca_private_key_pem, root_key.PrivateKeyPem());
  S3ML_ASSIGN_OR_RETURN(state.intermediate_certificate_pem, intermediate.Pem());
  S3ML_ASSIGN_OR_RETURN(state.intermediate_private_key_pem, intermediate_key.PrivateKeyPem());
  S3ML_ASSIGN_OR_RETURN(state.service_private_key_pem, service_key.PrivateKeyPem());
  return Status::Ok();
}

Result<bool> RenewIntermediateIfDue(EcsState& state, int64_t now) {
  S3ML_ASSIGN_OR_RETURN(crypto::X509Certificate current,
                        crypto::X509Certificate::FromPem(state.intermediate_certificate_pem));
  S3ML_ASSIGN_OR_RETURN(int64_t not_before, current.NotBefore());
  S3ML_ASSIGN_OR_RETURN(int64_t not_after, current.NotAfter());
  const int64_t lifetime = not_after - not_before;
  if (not_after - now >= lifetime / 3) return false;
  S3ML_ASSIGN_OR_RETURN(crypto::X509Certificate root, crypto::X509Certificate::FromPem(state.root_ca_certificate_pem));
  S3ML_ASSIGN_OR_RETURN(crypto::EcKey root_key, crypto::EcKey::FromPrivateKeyPem(AsText(state.root_ca_private_key_pem)));
  S3ML_ASSIGN_OR_RETURN(crypto::EcKey key, crypto::EcKey::Generate(crypto::EcCurve::kP384));
  S3ML_ASSIGN_OR_RETURN(crypto::X509Certificate renewed, IssueIntermediate(root, root_key, key, now));
  S3ML_ASSIGN_OR_RETURN(state.intermediate_certificate_pem, renewed.Pem());
  S3ML_ASSIGN_OR_RETURN(state.intermediate_private_key_pem, key.PrivateKeyPem());
  return true;
}

CertificateAuthority::CertificateAuthority(crypto::X509Certificate root, std::string root_pem,
                                           crypto::X509Certificate intermediate, std::string intermediate_pem,
                                           crypto::EcKey intermediate_key, crypto::EcKey service_key)
    : root_(std::move(root)),
      root_pem_(std::move(root_pem)),
      root_der_(root_.Der()),
      intermediate_(std::move(intermediate)),
      intermediate_pem_(std::move(intermediate_pem)),
      intermediate_key_(std::move(intermediate_key)),
      service_key_(std::move(service_key)) {}

Result<std::shared_ptr<const CertificateAuthority>> CertificateAuthority::FromState(const EcsState& state) {
  if (state.root_ca_certificate_pem.empty()) return FailedPrecondition("the ECS state has no root CA yet");
  auto root = crypto::X509Certificate::FromPem(state.root_ca_certificate_pem);
  if (!root.ok()) return root.status().WithContext("state root CA");
  auto intermediate = crypto::X509Certificate::FromPem(state.intermediate_certificate_pem);
  if (!intermediate.ok()) return intermediate.status().WithContext("state intermediate CA");
  auto intermediate_key = crypto::EcKey::FromPrivateKeyPem(AsText(state.intermediate_private_key_pem));
  if (!intermediate_key.ok()) return intermediate_key.status().WithContext("state intermediate key");
  auto service_key = crypto::EcKey::FromPrivateKeyPem(AsText(state.service_private_key_pem));
  if (!service_key.ok()) return service_key.status().WithContext("state service key");
  auto service_public = service_key->PublicKey();
  if (!service_public.ok()) return service_public.status().WithContext("state service key");
  std::string intermediate_pem = state.intermediate_certificate_pem;
  S3ML_ASSIGN_OR_RETURN(std::string root_pem, root->Pem());
  return std::shared_ptr<const CertificateAuthority>(new CertificateAuthority(
      std::move(root).value(), std::move(root_pem), std::move(intermediate).value(), std::move(intermediate_pem),
      std::move(intermediate_key).value(), std::move(service_public).value()));
}

Result<ServiceCertificate> CertificateAuthority::IssueServiceCertificate(const Manifest& manifest, int64_t now) const {
  const int64_t lifetime = manifest.certificate_lifetime_seconds;
  ServiceCertificate out;
  out.not_after = now + lifetime;
  out.renew_after = now + lifetime * 2 / 3;
  S3ML_ASSIGN_OR_RETURN(int64_t ca_not_after, intermediate_.NotAfter());
  if (out.not_after > ca_not_after) {
    return FailedPrecondition("the intermediate CA expires before the service certificate would; renew it first");
  }
  const std::string common_name =
      manifest.dns_names.empty() ? manifest.ip_addresses.front() : manifest.dns_names.front();
  crypto::X509Builder builder;
  builder.SetSubject({{"CN", common_name}, {"O", "s3ml"}})
      .SetIssuer(intermediate_)
      .SetValidity(now - kCertificateBackdate, out.not_after)
      .SetPublicKey(service_key_)
      .SetKeyUsage(crypto::kKeyUsageDigitalSignature)
      .SetBasicConstraints(false);
  for (const auto& name : manifest.dns_names) builder.AddSubjectAltNameDns(name);
  for (const auto& ip : manifest.ip_addresses) builder.AddSubjectAltNameIp(ip);
  S3ML_ASSIGN_OR_RETURN(crypto::X509Certificate leaf, builder.Build(intermediate_key_));
  S3ML_ASSIGN_OR_RETURN(std::string leaf_pem, leaf.Pem());
  out.chain_pem = leaf_pem + intermediate_pem_;
  if (!out.chain_pem.empty() && out.chain_pem.back() != '\n') out.chain_pem += '\n';
  return out;
}

}  // namespace s3ml::ecs
