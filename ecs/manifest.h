// Manifest: the owner's policy for the ECS (docs/protocol.md "Manifest"), parsed from the exact
// bytes the owner sent. Those bytes are what the ECS stores, hashes (manifest_sha256) and serves;
// the parsed form is only used to decide.
//
// Parsing refuses, with kInvalidArgument naming the member: non-JSON, duplicate keys at any
// level, unknown members (top level and identities; identity policies reuse
// attest::ParseAttestationPolicyJson, which refuses unknown policy keys), a version below 1, owner
// or recovery keys that are not P-384 public keys, no or malformed service names, a certificate
// lifetime outside 300 s .. 31 days, no identities, identity names that are not
// [a-z0-9._-]{1,64} or repeat, and model names that are not [a-z0-9._-]{1,64}. Manifests over
// kMaxManifestSize are kResourceExhausted.
//
// Updates (CheckManifestUpdate): the first manifest is accepted from anyone (the owner attested
// the ECS before sending it); later ones must carry X-S3ML-Owner-Signature = base64 DER
// ECDSA-SHA384 over the exact body by the CURRENT owner key (kPermissionDenied otherwise) and a
// strictly higher version (kFailedPrecondition).
#ifndef S3ML_ECS_MANIFEST_H_
#define S3ML_ECS_MANIFEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attest/attestation_policy.h"
#include "core/status.h"
#include "crypto/digest.h"

namespace s3ml::ecs {

inline constexpr size_t kMaxManifestSize = 256 * 1024;
inline constexpr int64_t kMinCertificateLifetime = 300;
inline constexpr int64_t kMaxCertificateLifetime = 31 * 24 * 3600;
inline constexpr int64_t kDefaultCertificateLifetime = 24 * 3600;
inline constexpr char kOwnerSignatureHeader[] = "X-S3ML-Owner-Signature";

struct ManifestIdentity {
  std::string name;
  attest::AttestationPolicy policy;
  std::vector<std::string> models;
};

struct Manifest {
  std::string bytes;  // exactly as received
  crypto::Sha256Digest sha256{};
  int64_t version = 0;
  std::string owner_public_key_pem;
  std::vector<uint8_t> owner_spki_der;  // for comparing with TLS client certificates
  std::string recovery_public_key_pem;
  std::vector<std::string> service_names;  // as given
  std::vector<std::string> dns_names;      // service_names split by kind, for the certificate SANs
  std::vector<std::string> ip_addresses;
  int64_t certificate_lifetime_seconds = kDefaultCertificateLifetime;
  std::vector<ManifestIdentity> identities;

  // True when some identity lists `model`.
  bool MentionsModel(std::string_view model) const;
};

Result<Manifest> ParseManifest(std::string_view bytes);

// [a-z0-9._-]{1,64}: model and identity names.
bool IsValidName(std::string_view name);

// Checks `signature_base64` (DER ECDSA-SHA384, base64) over `body` with the owner key of `current`.
Status VerifyOwnerSignature(const Manifest& current, std::string_view body, std::string_view signature_base64);

// Decides whether `body` may replace `current` (nullopt = no manifest yet) and returns it parsed.
// `signature_base64` is the X-S3ML-Owner-Signature header (nullopt when absent).
Result<Manifest> CheckManifestUpdate(const std::optional<Manifest>& current, std::string_view body,
                                     std::optional<std::string_view> signature_base64);

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_MANIFEST_H_
