#include "ecs/manifest.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "crypto/ec_key.h"
#include "ecs/strict_json.h"

namespace s3ml::ecs {
namespace {

using nlohmann::json;

Status RefuseUnknown(const json& object, const std::string& path, std::initializer_list<std::string_view> known) {
  for (const auto& item : object.items()) {
    if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
      return InvalidArgument(path + ": unknown member \"" + item.key() + "\"");
    }
  }
  return Status::Ok();
}

Result<const json*> Required(const json& object, const std::string& path, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return InvalidArgument(path + "." + key + " is missing");
  return &*it;
}

Result<std::string> RequiredString(const json& object, const std::string& path, const char* key) {
  S3ML_ASSIGN_OR_RETURN(const json* value, Required(object, path, key));
  if (!value->is_string()) return InvalidArgument(path + "." + key + " is not a string");
  return value->get<std::string>();
}

Result<std::vector<std::string>> StringList(const json& value, const std::string& path) {
  if (!value.is_array()) return InvalidArgument(path + " is not an array");
  std::vector<std::string> out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) return InvalidArgument(path + "[" + std::to_string(i) + "] is not a string");
    out.push_back(value[i].get<std::string>());
  }
  return out;
}

// A P-384 public key in PEM SubjectPublicKeyInfo form; returns its DER.
Result<std::vector<uint8_t>> P384PublicKey(const std::string& pem, const std::string& path) {
  auto key = crypto::EcKey::FromPublicKeyPem(pem);
  if (!key.ok()) return InvalidArgument(path + " is not a PEM public key: " + key.status().message());
  if (key->curve() != crypto::EcCurve::kP384) {
    return InvalidArgument(path + " must be an EC P-384 key, got " + std::string(crypto::EcCurveName(key->curve())));
  }
  auto der = key->PublicKeyDer();
  if (!der.ok()) return der.status().WithContext(path);
  return std::move(der).value();
}

bool IsIpAddress(const std::string& text) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, text.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// A DNS name for a certificate SAN: labels of [A-Za-z0-9-], not starting or ending with '-',
// optionally a leading "*." wildcard label; at most 253 characters.
bool IsDnsName(std::string_view name) {
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.empty() || name.size() > 253) return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('.', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view label = name.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

Result<ManifestIdentity> ParseIdentity(const json& value, const std::string& path) {
  if (!value.is_object()) return InvalidArgument(path + " is not an object");
  ManifestIdentity identity;
  S3ML_ASSIGN_OR_RETURN(identity.name, RequiredString(value, path, "name"));
  if (!IsValidName(identity.name)) {
    return InvalidArgument(path + ".name \"" + identity.name + "\" is not [a-z0-9._-]{1,64}");
  }
  json policy = value;
  policy.erase("name");
  if (policy.contains("models")) {
    S3ML_ASSIGN_OR_RETURN(identity.models, StringList(policy["models"], path + ".models"));
    policy.erase("models");
  }
  std::set<std::string> seen;
  for (const auto& model : identity.models) {
    if (!IsValidName(model)) return InvalidArgument(path + ".models: \"" + model + "\" is not [a-z0-9._-]{1,64}");
    if (!seen.insert(model).second) return InvalidArgument(path + ".models: \"" + model + "\" is listed twice");
  }
  auto parsed = attest::ParseAttestationPolicyJson(policy.dump());
  if (!parsed.ok()) return parsed.status().WithContext(path);
  identity.policy = std::move(parsed).value();
  if (identity.policy.allowed_mrenclaves.empty() && identity.policy.allowed_signers.empty()) {
    return InvalidArgument(path + " allows no MRENCLAVE and no signer: it could never match");
  }
  return identity;
}

}  // namespace

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

bool Manifest::MentionsModel(std::string_view model) const {
  for (const auto& identity : identities) {
    if (std::find(identity.models.begin(), identity.models.end(), model) != identity.models.end()) return true;
  }
  return false;
}

Result<Manifest> ParseManifest(std::string_view bytes) {
  if (bytes.size() > kMaxManifestSize) {
    return ResourceExhausted("manifest of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                             std::to_string(kMaxManifestSize));
  }
  S3ML_ASSIGN_OR_RETURN(json j, ParseStrictJson(bytes, "manifest"));
  if (!j.is_object()) return InvalidArgument("manifest is not a JSON object");
  const std::string path = "manifest";
  S3ML_RETURN_IF_ERROR(RefuseUnknown(j, path,
                                     {"version", "owner_public_key", "recovery_public_key", "service_names",
                                      "certificate_lifetime_seconds", "identities"}));
  Manifest m;
  m.bytes = std::string(bytes);
  m.sha256 = crypto::Sha256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));

  S3ML_ASSIGN_OR_RETURN(const json* version, Required(j, path, "version"));
  if (!version->is_number_integer() || version->get<int64_t>() < 1) {
    return InvalidArgument("manifest.version must be an integer >= 1");
  }
  m.version = version->get<int64_t>();

  S3ML_ASSIGN_OR_RETURN(m.owner_public_key_pem, RequiredString(j, path, "owner_public_key"));
  S3ML_ASSIGN_OR_RETURN(m.owner_spki_der, P384PublicKey(m.owner_public_key_pem, "manifest.owner_public_key"));
  S3ML_ASSIGN_OR_RETURN(m.recovery_public_key_pem, RequiredString(j, path, "recovery_public_key"));
  S3ML_ASSIGN_OR_RETURN(auto recovery_der, P384PublicKey(m.recovery_public_key_pem, "manifest.recovery_public_key"));
  (void)recovery_der;

  S3ML_ASSIGN_OR_RETURN(const json* names, Required(j, path, "service_names"));
  S3ML_ASSIGN_OR_RETURN(m.service_names, StringList(*names, "manifest.service_names"));
  if (m.service_names.empty()) return InvalidArgument("manifest.service_names is empty: the certificate needs a name");
  for (const auto& name : m.service_names) {
    if (IsIpAddress(name)) {
      m.ip_addresses.push_back(name);
    } else if (IsDnsName(name)) {
      m.dns_names.push_back(name);
    } else {
      return InvalidArgument("manifest.service_names: \"" + name + "\" is neither a DNS name nor an IP address");
    }
  }

  if (j.contains("certificate_lifetime_seconds")) {
    const json& lifetime = j["certificate_lifetime_seconds"];
    if (!lifetime.is_number_integer()) return InvalidArgument("manifest.certificate_lifetime_seconds is not an integer");
    m.certificate_lifetime_seconds = lifetime.get<int64_t>();
    if (m.certificate_lifetime_seconds < kMinCertificateLifetime ||
        m.certificate_lifetime_seconds > kMaxCertificateLifetime) {
      return InvalidArgument("manifest.certificate_lifetime_seconds " + std::to_string(m.certificate_lifetime_seconds) +
                             " is outside " + std::to_string(kMinCertificateLifetime) + " .. " +
                             std::to_string(kMaxCertificateLifetime));
    }
  }

  S3ML_ASSIGN_OR_RETURN(const json* identities, Required(j, path, "identities"));
  if (!identities->is_array() || identities->empty()) {
    return InvalidArgument("manifest.identities must be a non-empty array");
  }
  std::set<std::string> names_seen;
  for (size_t i = 0; i < identities->size(); ++i) {
    S3ML_ASSIGN_OR_RETURN(ManifestIdentity identity,
                          ParseIdentity((*identities)[i], "manifest.identities[" + std::to_string(i) + "]"));
    if (!names_seen.insert(identity.name).second) {
      return InvalidArgument("manifest.identities: name \"" + identity.name + "\" is used twice");
    }
    m.identities.push_back(std::move(identity));
  }
  return m;
}

Status VerifyOwnerSignature(const Manifest& current, std::string_view body, std::string_view signature_base64) {
  auto signature = Base64Decode(signature_base64, 1024);
  if (!signature.ok()) {
    return PermissionDenied(std::string(kOwnerSignatureHeader) + " is not base64: " + signature.status().message());
  }
  auto key = crypto::EcKey::FromPublicKeyPem(current.owner_public_key_pem);
  if (!key.ok()) return Internal("the current manifest's owner key does not load: " + key.status().message());
  Status verified = key->VerifyDer(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(body.data()), body.size()), *signature);
  if (!verified.ok()) {
    return PermissionDenied("owner signature does not verify with the current manifest's owner key (" +
                            verified.message() + ")");
  }
  return Status::Ok();
}

Result<Manifest> CheckManifestUpdate(const std::optional<Manifest>& current, std::string_view body,
                                     std::optional<std::string_view> signature_base64) {
  if (current.has_value()) {
    // The signature is checked before the body is even parsed: unauthenticated input gets no
    // further than this.
    if (!signature_base64.has_value()) {
      return PermissionDenied(std::string("a manifest exists: an update must be signed by the owner (header ") +
                              kOwnerSignatureHeader + ")");
    }
    S3ML_RETURN_IF_ERROR(VerifyOwnerSignature(*current, body, *signature_base64));
  }
  S3ML_ASSIGN_OR_RETURN(Manifest next, ParseManifest(body));
  if (current.has_value() && next.version <= current->version) {
    return FailedPrecondition("manifest version " + std::to_string(next.version) +
                              " is not higher than the current version " + std::to_string(current->version));
  }
  return next;
}

}  // namespace s3ml::ecs
