#include "client/ecs_client.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "client/http_error.h"
#include "core/hex.h"
#include "crypto/digest.h"

namespace s3ml::client {
namespace {

net::HttpRequest NewRequest(std::string method, std::string target) {
  net::HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  return request;
}

constexpr uint64_t kMaxEcsResponse = 16u << 20;

std::span<const uint8_t> Bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

Result<nlohmann::json> ParseObject(std::string_view call, const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return InvalidArgument("ECS " + std::string(call) + ": answer is not a JSON object");
  return j;
}

Result<std::array<uint8_t, 32>> Hex32Member(std::string_view call, const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return InvalidArgument("ECS " + std::string(call) + ": " + name + " missing");
  auto bytes = HexDecode(it->get<std::string>());
  if (!bytes.ok() || bytes->size() != 32) return InvalidArgument("ECS " + std::string(call) + ": " + name + " is not 32 bytes of hex");
  std::array<uint8_t, 32> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

Result<int64_t> IntMember(std::string_view call, const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer()) return InvalidArgument("ECS " + std::string(call) + ": " + name + " missing or not an integer");
  return it->get<int64_t>();
}

// The answer to PUT /v1/manifest must name the manifest we sent.
Result<ManifestInfo> ManifestAnswer(std::string_view call, const net::HttpResponse& response, std::string_view sent) {
  if (response.status != 200) return HttpErrorStatus("ECS " + std::string(call), response);
  S3ML_ASSIGN_OR_RETURN(auto j, ParseObject(call, response.body));
  ManifestInfo info;
  S3ML_ASSIGN_OR_RETURN(info.manifest_sha256, Hex32Member(call, j, "manifest_sha256"));
  S3ML_ASSIGN_OR_RETURN(info.version, IntMember(call, j, "version"));
  crypto::Sha256Digest sent_hash = crypto::Sha256(Bytes(sent));
  if (!std::equal(sent_hash.begin(), sent_hash.end(), info.manifest_sha256.begin())) {
    return DataLoss("ECS " + std::string(call) + ": the ECS reports another manifest hash than the manifest sent");
  }
  return info;
}

void AppendU64Le(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

Result<AuditEntry> ParseAuditEntry(const nlohmann::json& j, size_t index) {
  const std::string where = "audit entry " + std::to_string(index);
  if (!j.is_object()) return InvalidArgument(where + " is not an object");
  AuditEntry e;
  auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_unsigned()) return InvalidArgument(where + ": seq missing or negative");
  e.seq = seq->get<uint64_t>();
  S3ML_ASSIGN_OR_RETURN(e.time, IntMember(where, j, "time"));
  auto event = j.find("event");
  if (event == j.end() || !event->is_string()) return InvalidArgument(where + ": event missing");
  e.event = event->get<std::string>();
  auto detail = j.find("detail");
  if (detail == j.end()) return InvalidArgument(where + ": detail missing");
  // nlohmann's objects keep keys sorted, and dump() is compact: the protocol's form.
  e.detail_json = detail->dump();
  S3ML_ASSIGN_OR_RETURN(e.prev_hash, Hex32Member(where, j, "prev_hash"));
  S3ML_ASSIGN_OR_RETURN(e.hash, Hex32Member(where, j, "hash"));
  return e;
}

}  // namespace

std::array<uint8_t, 32> AuditEntryHash(const AuditEntry& entry) {
  std::vector<uint8_t> message(entry.prev_hash.begin(), entry.prev_hash.end());
  AppendU64Le(message, entry.seq);
  AppendU64Le(message, static_cast<uint64_t>(entry.time));
  message.insert(message.end(), entry.event.begin(), entry.event.end());
  message.push_back(0);
  message.insert(message.end(), entry.detail_json.begin(), entry.detail_json.end());
  return crypto::Sha256(message);
}

Status VerifyAuditChain(const std::vector<AuditEntry>& entries) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const AuditEntry& e = entries[i];
    const std::string where = "audit entry seq " + std::to_string(e.seq);
    if (i == 0 && e.seq == 0 && e.prev_hash != std::array<uint8_t, 32>{}) {
      return DataLoss(where + ": the first entry's prev_hash is not zero");
    }
    if (i > 0) {
      if (e.seq != entries[i - 1].seq + 1) {
        return DataLoss(where + ": follows seq " + std::to_string(entries[i - 1].seq) + " (an entry is missing or reordered)");
      }
      if (e.prev_hash != entries[i - 1].hash) return DataLoss(where + ": prev_hash is not the previous entry's hash");
    }
    if (AuditEntryHash(e) != e.hash) return DataLoss(where + ": hash does not match its contents");
  }
  return Status::Ok();
}

Status CheckModelName(std::string_view name) {
  if (name.empty() || name.size() > 64) return InvalidArgument("model name must be 1..64 characters");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return InvalidArgument("model name '" + std::string(name) + "' may only hold [a-z0-9._-]");
  }
  if (name == "." || name == "..") return InvalidArgument("model name must not be . or ..");
  return Status::Ok();
}

Result<std::unique_ptr<EcsClient>> EcsClient::Connect(const EcsAttestationOptions& options, const OwnerKeys* owner) {
  // Later connections are verified against the same expectations in their own handshakes; one
  // collateral source (one PCCS cache) serves the attestation and them.
  S3ML_ASSIGN_OR_RETURN(EcsTrust trust, MakeEcsTrust(options));
  EcsAttestationOptions shared = options;
  shared.collateral_source = trust.collateral;
  S3ML_ASSIGN_OR_RETURN(AttestedEcs attested, AttestEcs(shared));
  std::string key_pem;
  if (owner != nullptr) key_pem.assign(reinterpret_cast<const char*>(owner->owner_key_pem.data()), owner->owner_key_pem.size());
  auto tls = MakeEcsTlsContext(trust, owner != nullptr ? owner->owner_certificate_pem : "", key_pem);
  std::fill(key_pem.begin(), key_pem.end(), '\0');
  if (!tls.ok()) return tls.status();
  net::HttpClientOptions http_options;
  http_options.tls = std::move(tls).value();
  http_options.connect_timeout = options.connect_timeout;
  http_options.request_timeout = options.request_timeout;
  http_options.max_response_body_bytes = kMaxEcsResponse;
  auto http = std::make_unique<net::HttpClient>(attested.endpoint.host, attested.endpoint.port, http_options);
  return std::unique_ptr<EcsClient>(new EcsClient(std::move(attested), std::move(http), owner));
}

EcsClient::EcsClient(AttestedEcs attested, std::unique_ptr<net::HttpClient> http, const OwnerKeys* owner)
    : attested_(std::move(attested)), http_(std::move(http)), owner_(owner) {}

EcsClient::~EcsClient() = default;

Status EcsClient::RequireOwner(std::string_view call) const {
  if (owner_ == nullptr) return FailedPrecondition("ECS " + std::string(call) + " needs the owner keys");
  return Status::Ok();
}

Result<net::HttpResponse> EcsClient::Call(const net::HttpRequest& request) {
  std::string what = request.method + " " + request.target;
  auto response = http_->Send(request);
  if (!response.ok()) return response.status().WithContext("ECS " + EndpointString(attested_.endpoint) + " " + what);
  // Defence in depth: the handshake verifier already refused anything but the expected ECS; make
  // sure this connection is the same enclave that was attested.
  auto peer = http_->peer();
  const auto* identity = peer ? std::any_cast<attest::RaTlsPeerIdentity>(&peer->claims) : nullptr;
  if (identity == nullptr || identity->enclave.mrenclave != attested_.quote.identity.mrenclave ||
      identity->enclave.mrsigner != attested_.quote.identity.mrsigner) {
    return PermissionDenied("ECS " + what + ": the connection is not to the attested ECS enclave");
  }
  return response;
}

Result<ManifestInfo> EcsClient::SetManifest(std::string_view manifest_bytes) {
  net::HttpRequest request = NewRequest("PUT", "/v1/manifest");
  request.headers.Set("Content-Type", "application/json");
  request.body = std::string(manifest_bytes);
  S3ML_ASSIGN_OR_RETURN(auto response, Call(std::move(request)));
  return ManifestAnswer("PUT /v1/manifest", response, manifest_bytes);
}

Result<ManifestInfo> EcsClient::UpdateManifest(std::string_view manifest_bytes) {
  S3ML_RETURN_IF_ERROR(RequireOwner("manifest update"));
  S3ML_ASSIGN_OR_RETURN(std::string signature, SignManifest(owner_->owner_key, Bytes(manifest_bytes)));
  net::HttpRequest request = NewRequest("PUT", "/v1/manifest");
  request.headers.Set("Content-Type", "application/json");
  request.headers.Set(kOwnerSignatureHeader, std::move(signature));
  request.body = std::string(manifest_bytes);
  S3ML_ASSIGN_OR_RETURN(auto response, Call(std::move(request)));
  return ManifestAnswer("PUT /v1/manifest (signed)", response, manifest_bytes);
}

Result<ManifestInfo> EcsClient::GetManifest() {
  constexpr std::string_view kCall = "GET /v1/manifest";
  S3ML_ASSIGN_OR_RETURN(auto response, Call(NewRequest("GET", "/v1/manifest")));
  if (response.status != 200) return HttpErrorStatus("ECS " + std::string(kCall), response);
  S3ML_ASSIGN_OR_RETURN(auto j, ParseObject(kCall, response.body));
  ManifestInfo info;
  S3ML_ASSIGN_OR_RETURN(info.manifest_sha256, Hex32Member(kCall, j, "manifest_sha256"));
  S3ML_ASSIGN_OR_RETURN(info.version, IntMember(kCall, j, "version"));
  auto manifest = j.find("manifest");
  if (manifest == j.end() || !manifest->is_string()) return InvalidArgument("ECS GET /v1/manifest: manifest missing");
  auto bytes = Base64Decode(manifest->get<std::string>());
  if (!bytes.ok()) return bytes.status().WithContext("ECS GET /v1/manifest: manifest");
  crypto::Sha256Digest hash = crypto::Sha256(*bytes);
  if (!std::equal(hash.begin(), hash.end(), info.manifest_sha256.begin())) {
    return DataLoss("ECS GET /v1/manifest: SHA-256 of the manifest is not manifest_sha256");
  }
  info.manifest.assign(bytes->begin(), bytes->end());
  return info;
}

Status EcsClient::PutModelKey(std::string_view model_name, std::span<const uint8_t> key) {
  S3ML_RETURN_IF_ERROR(RequireOwner("model key upload"));
  S3ML_RETURN_IF_ERROR(CheckModelName(model_name));
  if (key.size() != 32) return InvalidArgument("model key must be 32 bytes, not " + std::to_string(key.size()));
  std::string target = "/v1/models/" + std::string(model_name) + "/key";
  net::HttpRequest request = NewRequest("PUT", target);
  request.headers.Set("Content-Type", "application/json");
  request.body = nlohmann::json{{"key", Base64Encode(key)}}.dump();
  auto response = Call(request);
  // The body held the key in base64: wipe it rather than leave it to the allocator.
  std::fill(request.body.begin(), request.body.end(), '\0');
  if (!response.ok()) return response.status();
  if (response->status != 200) return HttpErrorStatus("ECS PUT " + target, *response);
  auto j = ParseObject("PUT " + target, response->body);
  if (!j.ok()) return j.status();
  auto model = j->find("model");
  if (model == j->end() || !model->is_string() || model->get<std::string>() != model_name) {
    return InvalidArgument("ECS PUT " + target + ": answer does not name the model");
  }
  return Status::Ok();
}

Result<crypto::SecretBytes> EcsClient::GenerateModelKey(std::string_view model_name) {
  S3ML_RETURN_IF_ERROR(RequireOwner("model key generation"));
  S3ML_RETURN_IF_ERROR(CheckModelName(model_name));
  std::string target = "/v1/models/" + std::string(model_name) + "/key";
  net::HttpRequest request = NewRequest("POST", target);
  request.headers.Set("Content-Type", "application/json");
  request.body = "{}";
  S3ML_ASSIGN_OR_RETURN(auto response, Call(std::move(request)));
  if (response.status != 200) return HttpErrorStatus("ECS POST " + target, response);
  S3ML_ASSIGN_OR_RETURN(auto j, ParseObject("POST " + target, response.body));
  auto key = j.find("key");
  if (key == j.end() || !key->is_string()) return InvalidArgument("ECS POST " + target + ": key missing");
  auto bytes = Base64Decode(key->get<std::string>());
  if (!bytes.ok() || bytes->size() != 32) return InvalidArgument("ECS POST " + target + ": key is not 32 bytes of base64");
  crypto::SecretBytes secret(*bytes);
  std::fill(bytes->begin(), bytes->end(), 0);
  return secret;
}

Result<std::vector<AuditEntry>> EcsClient::ReadAudit() {
  S3ML_RETURN_IF_ERROR(RequireOwner("audit"));
  constexpr std::string_view kCall = "GET /v1/audit";
  S3ML_ASSIGN_OR_RETURN(auto response, Call(NewRequest("GET", "/v1/audit")));
  if (response.status != 200) return HttpErrorStatus("ECS " + std::string(kCall), response);
  S3ML_ASSIGN_OR_RETURN(auto j, ParseObject(kCall, response.body));
  auto entries = j.find("entries");
  if (entries == j.end() || !entries->is_array()) return InvalidArgument("ECS GET /v1/audit: entries missing");
  std::vector<AuditEntry> out;
  out.reserve(entries->size());
  for (size_t i = 0; i < entries->size(); ++i) {
    S3ML_ASSIGN_OR_RETURN(auto entry, ParseAuditEntry((*entries)[i], i));
    out.push_back(std::move(entry));
  }
  S3ML_RETURN_IF_ERROR(VerifyAuditChain(out));
  return out;
}

}  // namespace s3ml::client
