#include "serving/provision_response.h"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "serving/json_body.h"

namespace s3ml::serving {
namespace {

using json = nlohmann::json;

void Wipe(std::string& text) {
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
}

Result<std::string*> StringMember(json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end()) return InvalidArgument(std::string("provisioning answer has no \"") + name + "\"");
  if (!it->is_string()) return InvalidArgument(std::string("provisioning answer's \"") + name + "\" is not a string");
  return it->get_ptr<std::string*>();
}

Result<int64_t> TimeMember(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end()) return InvalidArgument(std::string("provisioning answer has no \"") + name + "\"");
  if (!it->is_number_integer() || it->get<int64_t>() <= 0) {
    return InvalidArgument(std::string("provisioning answer's \"") + name + "\" is not a positive integer");
  }
  return it->get<int64_t>();
}

Status CheckPem(const std::string& text, const char* name) {
  if (text.find("-----BEGIN ") == std::string::npos) {
    return InvalidArgument(std::string("provisioning answer's \"") + name + "\" holds no PEM block");
  }
  return Status::Ok();
}

bool IsLowerHex(std::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

bool IsProtocolModelName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

Result<ProvisionedCredentials> ParseProvisionResponse(std::string_view body) {
  S3ML_ASSIGN_OR_RETURN(json document, ParseJsonBody(body, "provisioning answer"));
  if (!document.is_object()) return InvalidArgument("provisioning answer is not a JSON object");
  ProvisionedCredentials out;

  // The key first, so that whatever fails later, its copy inside the JSON tree is wiped.
  Result<std::string*> key = StringMember(document, "private_key_pem");
  if (key.ok()) {
    out.private_key_pem = crypto::SecretBytes(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(key.value()->data()), key.value()->size()));
    Wipe(*key.value());
  }
  std::map<std::string, crypto::SecretBytes> model_keys;
  Status models_status = Status::Ok();
  auto models = document.find("models");
  if (models == document.end() || !models->is_object()) {
    models_status = InvalidArgument("provisioning answer's \"models\" is missing or not an object");
  } else {
    for (auto& [name, value] : models->items()) {
      if (!models_status.ok()) break;
      if (!IsProtocolModelName(name)) {
        models_status = InvalidArgument("provisioning answer names an invalid model \"" + name + "\"");
      } else if (!value.is_string()) {
        models_status = InvalidArgument("provisioning answer's key of model " + name + " is not a string");
      } else {
        std::string& text = *value.get_ptr<std::string*>();
        // Bounded: a model key is 32 bytes, anything much longer is refused before decoding.
        Result<std::vector<uint8_t>> bytes = Base64Decode(text, 2 * kModelKeyBytes);
        Wipe(text);
        if (!bytes.ok()) {
          models_status = bytes.status().WithContext("provisioning answer's key of model " + name);
        } else if (bytes.value().size() != kModelKeyBytes) {
          models_status = InvalidArgument("provisioning answer's key of model " + name + " is not 32 bytes");
        } else {
          model_keys.emplace(name, crypto::SecretBytes(bytes.value()));
        }
        if (bytes.ok()) OPENSSL_cleanse(bytes.value().data(), bytes.value().size());
      }
    }
  }
  if (!key.ok()) return key.status();
  S3ML_RETURN_IF_ERROR(models_status);
  out.model_keys = std::move(model_keys);
  const std::string_view key_text(reinterpret_cast<const char*>(out.private_key_pem.data()), out.private_key_pem.size());
  if (key_text.find("-----BEGIN ") == std::string_view::npos) {
    return InvalidArgument("provisioning answer's \"private_key_pem\" holds no PEM block");
  }

  S3ML_ASSIGN_OR_RETURN(std::string* identity, StringMember(document, "identity"));
  if (identity->empty()) return InvalidArgument("provisioning answer's \"identity\" is empty");
  out.identity = *identity;
  S3ML_ASSIGN_OR_RETURN(std::string* chain, StringMember(document, "certificate_chain_pem"));
  S3ML_RETURN_IF_ERROR(CheckPem(*chain, "certificate_chain_pem"));
  out.certificate_chain_pem = *chain;
  S3ML_ASSIGN_OR_RETURN(std::string* root, StringMember(document, "root_ca_pem"));
  S3ML_RETURN_IF_ERROR(CheckPem(*root, "root_ca_pem"));
  out.root_ca_pem = *root;
  S3ML_ASSIGN_OR_RETURN(out.not_after, TimeMember(document, "not_after"));
  S3ML_ASSIGN_OR_RETURN(out.renew_after, TimeMember(document, "renew_after"));
  if (out.renew_after > out.not_after) return InvalidArgument("provisioning answer's renew_after is after not_after");
  S3ML_ASSIGN_OR_RETURN(std::string* manifest, StringMember(document, "manifest_sha256"));
  if (manifest->size() != 64 || !IsLowerHex(*manifest)) {
    return InvalidArgument("provisioning answer's \"manifest_sha256\" is not 64 lowercase hex digits");
  }
  out.manifest_sha256 = *manifest;
  return out;
}

}  // namespace s3ml::serving
