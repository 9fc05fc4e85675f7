// EcsClient: the owner's calls to the ECS (docs/protocol.md, "ECS HTTP API") over connections
// that verify the ECS inside every TLS handshake (ecs_attestation.h) and, when owner keys are
// given, present the owner certificate as TLS client certificate.
//
// Connect() first attests the ECS (AttestEcs: nonce, quote, binding, manifest hash), so a caller
// holds the verified root CA and manifest before sending anything. Every call's answer is checked:
// the manifest hash the ECS reports must be SHA-256 of the bytes sent, the returned key 32 bytes.
// HTTP refusals come back as Status with the ECS's {"error"} message (http_error.h: 400
// kInvalidArgument, 401/403 kPermissionDenied, 404 kNotFound, 409 kAlreadyExists, 503
// kUnavailable, ...); transport errors as net::HttpClient's.
// Not thread-safe (one keep-alive connection).
#ifndef S3ML_CLIENT_ECS_CLIENT_H_
#define S3ML_CLIENT_ECS_CLIENT_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/ecs_attestation.h"
#include "client/owner_keys.h"
#include "core/status.h"
#include "crypto/secret_bytes.h"
#include "net/http_client.h"

namespace s3ml::client {

struct ManifestInfo {
  std::array<uint8_t, 32> manifest_sha256{};
  int64_t version = 0;
  std::string manifest;  // exact bytes (GetManifest only; empty for Set/Update answers)
};

struct AuditEntry {
  uint64_t seq = 0;
  int64_t time = 0;
  std::string event;
  std::string detail_json;  // compact JSON with sorted keys, as hashed
  std::array<uint8_t, 32> prev_hash{};
  std::array<uint8_t, 32> hash{};
};

// Recomputes every entry's hash (docs/protocol.md, "Audit entry") and the chain: seq from 0 (or
// from the first entry's seq) without gaps, prev_hash = previous hash, first prev_hash zero when
// seq is 0. kDataLoss naming the first entry that does not verify.
Status VerifyAuditChain(const std::vector<AuditEntry>& entries);
// The hash of one entry as the protocol defines it.
std::array<uint8_t, 32> AuditEntryHash(const AuditEntry& entry);

class EcsClient {
 public:
  // Attests the ECS, then keeps a connection for owner calls. `owner` may be null for the calls
  // that anyone may make (SetManifest for the first manifest, GetManifest); otherwise it must
  // outlive the client.
  static Result<std::unique_ptr<EcsClient>> Connect(const EcsAttestationOptions& options,
                                                    const OwnerKeys* owner);
  ~EcsClient();

  const AttestedEcs& attested() const { return attested_; }

  // PUT /v1/manifest without a signature (accepted only while the ECS has no manifest).
  Result<ManifestInfo> SetManifest(std::string_view manifest_bytes);
  // PUT /v1/manifest signed with the owner key. REQUIRES: owner keys.
  Result<ManifestInfo> UpdateManifest(std::string_view manifest_bytes);
  // GET /v1/manifest; the bytes are checked against the reported hash. kNotFound before the first.
  Result<ManifestInfo> GetManifest();
  // PUT /v1/models/{name}/key. REQUIRES: owner keys, key of 32 bytes.
  Status PutModelKey(std::string_view model_name, std::span<const uint8_t> key);
  // POST /v1/models/{name}/key: the ECS generates the key and returns it. REQUIRES: owner keys.
  Result<crypto::SecretBytes> GenerateModelKey(std::string_view model_name);
  // GET /v1/audit, parsed and chain-verified (VerifyAuditChain). REQUIRES: owner keys.
  Result<std::vector<AuditEntry>> ReadAudit();

 private:
  EcsClient(AttestedEcs attested, std::unique_ptr<net::HttpClient> http, const OwnerKeys* owner);
  Result<net::HttpResponse> Call(const net::HttpRequest& request);
  Status RequireOwner(std::string_view call) const;

  AttestedEcs attested_;
  std::unique_ptr<net::HttpClient> http_;
  const OwnerKeys* owner_;
};

// Model names: [a-z0-9._-]{1,64}.
Status CheckModelName(std::string_view name);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_ECS_CLIENT_H_
