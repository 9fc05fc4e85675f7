// The ECS's answer to POST /v1/provision (docs/protocol.md "Provisioning"), parsed and checked.
//
// Every member is required and type-checked: PEM members must hold PEM blocks, not_after and
// renew_after must be positive with renew_after <= not_after, model names must be
// [a-z0-9._-]{1,64} and their keys standard base64 of exactly 32 bytes, manifest_sha256 64
// lowercase hex digits. Unknown members are ignored (the ECS may add information later; none of
// them can widen what this server accepts). Errors are kInvalidArgument naming the member, and
// never quote key material. The service key and the model keys are kept in SecretBytes.
#ifndef S3ML_SERVING_PROVISION_RESPONSE_H_
#define S3ML_SERVING_PROVISION_RESPONSE_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/secret_bytes.h"

namespace s3ml::serving {

inline constexpr size_t kModelKeyBytes = 32;

struct ProvisionedCredentials {
  std::string identity;
  std::string certificate_chain_pem;      // service leaf, then the intermediate
  crypto::SecretBytes private_key_pem;    // PKCS#8 PEM of the shared service key
  std::string root_ca_pem;
  int64_t not_after = 0;
  int64_t renew_after = 0;
  std::map<std::string, crypto::SecretBytes> model_keys;
  std::string manifest_sha256;
};

// `body` is the whole response body; the caller wipes it afterwards (it holds secrets).
Result<ProvisionedCredentials> ParseProvisionResponse(std::string_view body);

// [a-z0-9._-]{1,64}, the protocol's model names.
bool IsProtocolModelName(std::string_view name);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_PROVISION_RESPONSE_H_
