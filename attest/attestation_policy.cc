#include "attest/attestation_policy.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "attest/json_fields.h"
#include "core/file.h"
#include "core/hex.h"

namespace s3ml::attest {
namespace {

namespace jf = json_fields;

std::string StatusList(const std::vector<TcbStatus>& statuses) {
  std::string out;
  for (TcbStatus s : statuses) out += (out.empty() ? "" : ", ") + std::string(TcbStatusName(s));
  return out;
}

Result<std::array<uint8_t, 32>> Measurement(const nlohmann::json& value, const std::string& path) {
  if (!value.is_string()) return InvalidArgument(path + " is not a hex string");
  auto bytes = HexDecode(value.get<std::string>());
  if (!bytes.ok()) return bytes.status().WithContext(path);
  if (bytes->size() != 32) return InvalidArgument(path + " must be 32 bytes, got " + std::to_string(bytes->size()));
  std::array<uint8_t, 32> out;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

Status RefuseUnknownKeys(const nlohmann::json& object, const std::string& path,
                         std::initializer_list<std::string_view> known) {
  for (const auto& item : object.items()) {
    if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
      return InvalidArgument(path + ": unknown key \"" + item.key() + "\"");
    }
  }
  return Status::Ok();
}

Result<bool> OptionalBool(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return false;
  if (!j[key].is_boolean()) return InvalidArgument(std::string("policy.") + key + " is not a boolean");
  return j[key].get<bool>();
}

}  // namespace

Status AttestationPolicy::Check(const VerifiedQuote& v) const {
  const EnclaveIdentity& id = v.identity;
  if (v.simulated_root && !allow_simulated) {
    return PermissionDenied("policy rule allow_simulated: the quote chains to the simulated root '" + v.trust_anchor +
                            "', which this policy does not trust");
  }
  if (id.debug && !allow_debug) {
    return PermissionDenied("policy rule allow_debug: the enclave is a DEBUG enclave (attributes.flags bit 1)");
  }
  if (allowed_mrenclaves.empty() && allowed_signers.empty()) {
    return PermissionDenied("policy rule identity: the policy allows no MRENCLAVE and no MRSIGNER");
  }
  bool identity_ok = std::find(allowed_mrenclaves.begin(), allowed_mrenclaves.end(), id.mrenclave) != allowed_mrenclaves.end();
  std::string signer_reason;
  for (const SignerRule& rule : allowed_signers) {
    if (rule.mrsigner != id.mrsigner || rule.isv_prod_id != id.isv_prod_id) continue;
    if (id.isv_svn >= rule.min_isv_svn) {
      identity_ok = true;
      break;
    }
    signer_reason = "; ISVSVN " + std::to_string(id.isv_svn) + " is below the minimum " + std::to_string(rule.min_isv_svn);
  }
  if (!identity_ok) {
    return PermissionDenied("policy rule identity: MRENCLAVE " + HexEncode(id.mrenclave) + " is not allowed and no signer rule " +
                            "matches MRSIGNER " + HexEncode(id.mrsigner) + " ISVPRODID " + std::to_string(id.isv_prod_id) +
                            signer_reason);
  }
  if (std::find(accepted_tcb_statuses.begin(), accepted_tcb_statuses.end(), v.tcb_status) == accepted_tcb_statuses.end()) {
    return PermissionDenied("policy rule accepted_tcb_statuses: TCB status " + std::string(TcbStatusName(v.tcb_status)) +
                            " is not one of [" + StatusList(accepted_tcb_statuses) + "]");
  }
  if (accepted_advisories) {
    for (const auto& advisory : v.advisory_ids) {
      if (std::find(accepted_advisories->begin(), accepted_advisories->end(), advisory) == accepted_advisories->end()) {
        return PermissionDenied("policy rule accepted_advisories: advisory " + advisory + " is not accepted");
      }
    }
  }
  return Status::Ok();
}

Result<AttestationPolicy> ParseAttestationPolicyJson(std::string_view json_text) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("policy is not a JSON object");
  S3ML_RETURN_IF_ERROR(RefuseUnknownKeys(j, "policy", {"mrenclave", "signers", "allow_debug", "allow_simulated",
                                                       "accepted_tcb_statuses", "accepted_advisories"}));
  AttestationPolicy p;
  if (j.contains("mrenclave")) {
    if (!j["mrenclave"].is_array()) return InvalidArgument("policy.mrenclave is not an array");
    for (size_t i = 0; i < j["mrenclave"].size(); ++i) {
      S3ML_ASSIGN_OR_RETURN(auto m, Measurement(j["mrenclave"][i], "policy.mrenclave[" + std::to_string(i) + "]"));
      p.allowed_mrenclaves.push_back(m);
    }
  }
  if (j.contains("signers")) {
    if (!j["signers"].is_array()) return InvalidArgument("policy.signers is not an array");
    for (size_t i = 0; i < j["signers"].size(); ++i) {
      const nlohmann::json& s = j["signers"][i];
      const std::string path = "policy.signers[" + std::to_string(i) + "]";
      if (!s.is_object()) return InvalidArgument(path + " is not an object");
      S3ML_RETURN_IF_ERROR(RefuseUnknownKeys(s, path, {"mrsigner", "isvprodid", "min_isvsvn"}));
      SignerRule rule;
      S3ML_ASSIGN_OR_RETURN(const nlohmann::json* mrsigner, jf::Member(s, path, "mrsigner"));
      S3ML_ASSIGN_OR_RETURN(rule.mrsigner, Measurement(*mrsigner, path + ".mrsigner"));
      S3ML_ASSIGN_OR_RETURN(int64_t prod, jf::Integer(s, path, "isvprodid", 0, 65535));
      rule.isv_prod_id = static_cast<uint16_t>(prod);
      if (s.contains("min_isvsvn")) {
        S3ML_ASSIGN_OR_RETURN(int64_t svn, jf::Integer(s, path, "min_isvsvn", 0, 65535));
        rule.min_isv_svn = static_cast<uint16_t>(svn);
      }
      p.allowed_signers.push_back(rule);
    }
  }
  S3ML_ASSIGN_OR_RETURN(p.allow_debug, OptionalBool(j, "allow_debug"));
  S3ML_ASSIGN_OR_RETURN(p.allow_simulated, OptionalBool(j, "allow_simulated"));
  if (j.contains("accepted_tcb_statuses")) {
    S3ML_ASSIGN_OR_RETURN(auto names, jf::StringArray(j, "policy", "accepted_tcb_statuses", false));
    p.accepted_tcb_statuses.clear();
    for (const auto& name : names) {
      auto status = ParseTcbStatus(name);
      if (!status.ok()) return status.status().WithContext("policy.accepted_tcb_statuses");
      if (status.value() == TcbStatus::kRevoked) return InvalidArgument("policy.accepted_tcb_statuses may not accept Revoked");
      p.accepted_tcb_statuses.push_back(status.value());
    }
  }
  if (j.contains("accepted_advisories")) {
    S3ML_ASSIGN_OR_RETURN(auto advisories, jf::StringArray(j, "policy", "accepted_advisories", false));
    p.accepted_advisories = std::move(advisories);
  }
  return p;
}

Result<AttestationPolicy> LoadAttestationPolicy(const std::string& path) {
  auto text = ReadFileText(path, 1 << 20);
  if (!text.ok()) return text.status().WithContext("policy file");
  auto policy = ParseAttestationPolicyJson(text.value());
  if (!policy.ok()) return policy.status().WithContext(path);
  return policy;
}

}  // namespace s3ml::attest
