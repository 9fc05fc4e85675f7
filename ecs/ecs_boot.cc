#include "ecs/ecs_boot.h"

#include <nlohmann/json.hpp>

#include "core/hex.h"
#include "crypto/digest.h"
#include "crypto/x509_certificate.h"
#include "ecs/certificate_authority.h"

namespace s3ml::ecs {

Result<BootedState> LoadOrCreateState(StateStore& store, const Clock& clock) {
  const int64_t now = clock.NowUnixSeconds();
  S3ML_ASSIGN_OR_RETURN(std::optional<EcsState> loaded, store.Load());
  BootedState booted;
  if (loaded.has_value()) {
    booted.state = std::move(loaded).value();
    S3ML_ASSIGN_OR_RETURN(bool renewed, RenewIntermediateIfDue(booted.state, now));
    if (renewed) S3ML_RETURN_IF_ERROR(store.Commit(booted.state));
    return booted;
  }
  booted.first_boot = true;
  booted.state.created_at = now;
  S3ML_RETURN_IF_ERROR(CreateCertificateAuthority(booted.state, now));
  S3ML_ASSIGN_OR_RETURN(crypto::X509Certificate root,
                        crypto::X509Certificate::FromPem(booted.state.root_ca_certificate_pem));
  booted.state.audit.Append(now, "first_boot", nlohmann::json{{"root_ca_sha256", HexEncode(crypto::Sha256(root.Der()))}});
  S3ML_RETURN_IF_ERROR(store.Commit(booted.state));
  return booted;
}

}  // namespace s3ml::ecs
