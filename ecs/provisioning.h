// Provisioning decisions (docs/protocol.md "Provisioning"), pure functions of their inputs.
//
// MatchIdentity: the first manifest identity whose attestation policy accepts the verified quote.
// When none does, kPermissionDenied "provisioning refused: <rule>" with the failed rule of the
// closest identity: one whose MRENCLAVE or MRSIGNER/ISVPRODID matches the caller beats one that
// does not, then the one that failed at a later rule (simulated < debug < identity < TCB status
// < advisory), then the earlier identity.
//
// BuildProvisioningResponse: the 200 body: identity name, service chain + key, root, validity,
// the model keys this identity may have (models without a key yet are left out), manifest hash.
#ifndef S3ML_ECS_PROVISIONING_H_
#define S3ML_ECS_PROVISIONING_H_

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "attest/dcap_verifier.h"
#include "core/status.h"
#include "crypto/secret_bytes.h"
#include "ecs/certificate_authority.h"
#include "ecs/manifest.h"

namespace s3ml::ecs {

Result<const ManifestIdentity*> MatchIdentity(const Manifest& manifest, const attest::VerifiedQuote& quote);

// The 200 body. `service_private_key_pem` and model keys are secrets: the result must only be
// sent over the provisioning connection, never logged.
nlohmann::json BuildProvisioningResponse(const ManifestIdentity& identity, const Manifest& manifest,
                                         const ServiceCertificate& certificate, const std::string& root_pem,
                                         const crypto::SecretBytes& service_private_key_pem,
                                         const std::map<std::string, crypto::SecretBytes>& model_keys);

// The request body: empty or "{}" (reserved for options; unknown members are refused).
Status CheckProvisionRequestBody(std::string_view body);

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_PROVISIONING_H_
