#include "client/manifest_builder.h"

#include <set>

#include <nlohmann/json.hpp>

#include "client/ecs_client.h"
#include "core/hex.h"
#include "crypto/ec_key.h"

namespace s3ml::client {
namespace {

constexpr int64_t kMinLifetime = 300;
constexpr int64_t kMaxLifetime = 31LL * 24 * 3600;

Status CheckP384Pem(const std::string& pem, const char* field) {
  auto key = crypto::EcKey::FromPublicKeyPem(pem);
  if (!key.ok()) return InvalidArgument(std::string("manifest ") + field + ": not a PEM public key");
  if (key->curve() != crypto::EcCurve::kP384) return InvalidArgument(std::string("manifest ") + field + ": not EC P-384");
  return Status::Ok();
}

}  // namespace

std::string AttestationPolicyJson(const attest::AttestationPolicy& policy) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json mrenclaves = nlohmann::ordered_json::array();
  for (const auto& m : policy.allowed_mrenclaves) mrenclaves.push_back(HexEncode(m));
  nlohmann::ordered_json signers = nlohmann::ordered_json::array();
  for (const auto& s : policy.allowed_signers) {
    signers.push_back({{"mrsigner", HexEncode(s.mrsigner)}, {"isvprodid", s.isv_prod_id}, {"min_isvsvn", s.min_isv_svn}});
  }
  j["mrenclave"] = mrenclaves;
  j["signers"] = signers;
  j["allow_debug"] = policy.allow_debug;
  j["allow_simulated"] = policy.allow_simulated;
  nlohmann::ordered_json statuses = nlohmann::ordered_json::array();
  for (auto s : policy.accepted_tcb_statuses) statuses.push_back(std::string(attest::TcbStatusName(s)));
  j["accepted_tcb_statuses"] = statuses;
  if (policy.accepted_advisories) j["accepted_advisories"] = *policy.accepted_advisories;
  return j.dump();
}

Result<std::string> BuildManifestJson(const ManifestSpec& spec) {
  if (spec.version < 1) return InvalidArgument("manifest version must be >= 1");
  S3ML_RETURN_IF_ERROR(CheckP384Pem(spec.owner_public_key_pem, "owner_public_key"));
  S3ML_RETURN_IF_ERROR(CheckP384Pem(spec.recovery_public_key_pem, "recovery_public_key"));
  if (spec.service_names.empty()) return InvalidArgument("manifest service_names: at least one name is required");
  for (const auto& name : spec.service_names) {
    if (name.empty() || name.size() > 253) return InvalidArgument("manifest service_names: bad name '" + name + "'");
  }
  if (spec.certificate_lifetime_seconds < kMinLifetime || spec.certificate_lifetime_seconds > kMaxLifetime) {
    return InvalidArgument("manifest certificate_lifetime_seconds " + std::to_string(spec.certificate_lifetime_seconds) +
                           " is outside 300 .. 2678400");
  }
  if (spec.identities.empty()) return InvalidArgument("manifest identities: at least one identity is required");
  std::set<std::string> names;
  nlohmann::ordered_json identities = nlohmann::ordered_json::array();
  for (const auto& identity : spec.identities) {
    Status name_ok = CheckModelName(identity.name);  // the same character rule
    if (!name_ok.ok()) return InvalidArgument("manifest identity name '" + identity.name + "' must be [a-z0-9._-]{1,64}");
    if (!names.insert(identity.name).second) return InvalidArgument("manifest identity name '" + identity.name + "' is used twice");
    if (identity.policy.allowed_mrenclaves.empty() && identity.policy.allowed_signers.empty()) {
      return InvalidArgument("manifest identity '" + identity.name + "' accepts no enclave (no mrenclave, no signer)");
    }
    std::set<std::string> models;
    for (const auto& model : identity.models) {
      S3ML_RETURN_IF_ERROR(CheckModelName(model).WithContext("manifest identity '" + identity.name + "'"));
      if (!models.insert(model).second) {
        return InvalidArgument("manifest identity '" + identity.name + "' lists model '" + model + "' twice");
      }
    }
    nlohmann::ordered_json entry;
    entry["name"] = identity.name;
    const nlohmann::ordered_json policy = nlohmann::ordered_json::parse(AttestationPolicyJson(identity.policy));
    for (const auto& [key, value] : policy.items()) entry[key] = value;
    entry["models"] = identity.models;
    identities.push_back(std::move(entry));
  }
  nlohmann::ordered_json manifest;
  manifest["version"] = spec.version;
  manifest["owner_public_key"] = spec.owner_public_key_pem;
  manifest["recovery_public_key"] = spec.recovery_public_key_pem;
  manifest["service_names"] = spec.service_names;
  manifest["certificate_lifetime_seconds"] = spec.certificate_lifetime_seconds;
  manifest["identities"] = identities;
  return manifest.dump(2) + "\n";
}

Result<int64_t> ManifestVersion(const std::string& manifest_bytes) {
  nlohmann::json j = nlohmann::json::parse(manifest_bytes, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return InvalidArgument("manifest is not a JSON object");
  auto it = j.find("version");
  if (it == j.end() || !it->is_number_integer()) return InvalidArgument("manifest version missing or not an integer");
  return it->get<int64_t>();
}

}  // namespace s3ml::client
