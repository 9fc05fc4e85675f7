#include "ecs/provisioning.h"

#include <algorithm>

#include "core/base64.h"
#include "core/hex.h"
#include "ecs/strict_json.h"

namespace s3ml::ecs {
namespace {

// How far a refusal got through AttestationPolicy::Check (its rules in their order).
int RuleRank(const std::string& message) {
  static const char* const kRules[] = {"policy rule allow_simulated", "policy rule allow_debug", "policy rule identity",
                                       "policy rule accepted_tcb_statuses", "policy rule accepted_advisories"};
  for (int i = 0; i < 5; ++i) {
    if (message.find(kRules[i]) != std::string::npos) return i;
  }
  return -1;
}

bool NamesCaller(const attest::AttestationPolicy& policy, const attest::EnclaveIdentity& id) {
  if (std::find(policy.allowed_mrenclaves.begin(), policy.allowed_mrenclaves.end(), id.mrenclave) !=
      policy.allowed_mrenclaves.end()) {
    return true;
  }
  return std::any_of(policy.allowed_signers.begin(), policy.allowed_signers.end(), [&](const attest::SignerRule& r) {
    return r.mrsigner == id.mrsigner && r.isv_prod_id == id.isv_prod_id;
  });
}

}  // namespace

Result<const ManifestIdentity*> MatchIdentity(const Manifest& manifest, const attest::VerifiedQuote& quote) {
  int best_score = -1;
  std::string best_reason = "the manifest has no identities";
  for (const ManifestIdentity& identity : manifest.identities) {
    Status verdict = identity.policy.Check(quote);
    if (verdict.ok()) return &identity;
    const int score = (NamesCaller(identity.policy, quote.identity) ? 10 : 0) + RuleRank(verdict.message());
    if (score > best_score) {
      best_score = score;
      best_reason = verdict.message() + " (identity \"" + identity.name + "\")";
    }
  }
  return PermissionDenied("provisioning refused: " + best_reason);
}

nlohmann::json BuildProvisioningResponse(const ManifestIdentity& identity, const Manifest& manifest,
                                         const ServiceCertificate& certificate, const std::string& root_pem,
                                         const crypto::SecretBytes& service_private_key_pem,
                                         const std::map<std::string, crypto::SecretBytes>& model_keys) {
  nlohmann::json models = nlohmann::json::object();
  for (const auto& model : identity.models) {
    auto it = model_keys.find(model);
    if (it != model_keys.end()) models[model] = Base64Encode(it->second.span());
  }
  nlohmann::json body;
  body["identity"] = identity.name;
  body["certificate_chain_pem"] = certificate.chain_pem;
  body["private_key_pem"] = std::string(reinterpret_cast<const char*>(service_private_key_pem.data()),
                                        service_private_key_pem.size());
  body["root_ca_pem"] = root_pem;
  body["not_after"] = certificate.not_after;
  body["renew_after"] = certificate.renew_after;
  body["models"] = std::move(models);
  body["manifest_sha256"] = HexEncode(manifest.sha256);
  return body;
}

Status CheckProvisionRequestBody(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return Status::Ok();
  S3ML_ASSIGN_OR_RETURN(nlohmann::json j, ParseStrictJson(body, "provision request"));
  if (!j.is_object()) return InvalidArgument("provision request is not a JSON object");
  if (!j.empty()) return InvalidArgument("provision request: unknown member \"" + j.begin().key() + "\"");
  return Status::Ok();
}

}  // namespace s3ml::ecs
