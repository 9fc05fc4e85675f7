// Builds a manifest (docs/protocol.md, "Manifest") from its parts, for `s3ml up` and tests that
// need one without writing JSON by hand. The result is the exact bytes to send (the ECS hashes
// them as they are). Checks what the protocol requires of each field before anything is sent:
// version >= 1, P-384 public keys, at least one service name, lifetime 300 s .. 31 days,
// identity names [a-z0-9._-]{1,64} and unique, model names [a-z0-9._-]{1,64} and not repeated
// within an identity, every identity
// accepting something (an MRENCLAVE or a signer). kInvalidArgument naming the field otherwise.
#ifndef S3ML_CLIENT_MANIFEST_BUILDER_H_
#define S3ML_CLIENT_MANIFEST_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "attest/attestation_policy.h"
#include "core/status.h"

namespace s3ml::client {

struct ManifestIdentity {
  std::string name;
  attest::AttestationPolicy policy;
  std::vector<std::string> models;
};

struct ManifestSpec {
  int64_t version = 1;
  std::string owner_public_key_pem;     // OwnerKeys::owner_public_key_pem
  std::string recovery_public_key_pem;  // OwnerKeys::recovery_public_key_pem
  std::vector<std::string> service_names;
  int64_t certificate_lifetime_seconds = 86400;
  std::vector<ManifestIdentity> identities;
};

Result<std::string> BuildManifestJson(const ManifestSpec& spec);

// The JSON object of an attestation policy (attest/attestation_policy.h's form).
std::string AttestationPolicyJson(const attest::AttestationPolicy& policy);

// Reads the "version" member of a manifest (for `s3ml manifest show` and update checks).
Result<int64_t> ManifestVersion(const std::string& manifest_bytes);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_MANIFEST_BUILDER_H_
