// ProvisioningClient: how a model server gets its service certificate, service key and model keys
// from the ECS (docs/protocol.md "Provisioning").
//
// Provision() makes a fresh RA-TLS client certificate (attest::CreateRaTlsCertificate: new key,
// new quote of this enclave from the tee::Platform), connects to the ECS over TLS 1.3 verifying
// the ECS's own RA-TLS certificate inside the handshake against the expected ECS identity
// (ecs_trust.h), POSTs /v1/provision with body {} and parses the answer. Errors:
//   - the ECS's certificate is not the expected enclave: kPermissionDenied "ECS identity
//     mismatch: <why>" (IsEcsIdentityMismatch);
//   - the ECS refuses this server (403): kPermissionDenied "provisioning refused: <rule>" with the
//     ECS's reason (IsProvisioningRefusal);
//   - the ECS is unreachable or not ready (503 before the first manifest): kUnavailable (retry);
//   - anything else the ECS answers, or a malformed answer: kInternal / kInvalidArgument.
// Secrets: the response body and every copy of the keys outside SecretBytes are wiped.
#ifndef S3ML_SERVING_PROVISIONING_CLIENT_H_
#define S3ML_SERVING_PROVISIONING_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "attest/ratls_verifier.h"
#include "core/clock.h"
#include "core/status.h"
#include "serving/provision_response.h"
#include "tee/platform.h"

namespace s3ml::serving {

inline constexpr char kProvisionPath[] = "/v1/provision";
inline constexpr char kProvisioningRefusedPrefix[] = "provisioning refused: ";
inline constexpr char kEcsIdentityMismatchPrefix[] = "ECS identity mismatch: ";

struct EcsAddress {
  std::string host;
  uint16_t port = 443;
};
// "https://HOST[:PORT][/]" (IPv6 hosts in brackets); kInvalidArgument otherwise.
Result<EcsAddress> ParseEcsUrl(std::string_view url);

struct ProvisioningOptions {
  std::string ecs_url;
  attest::RaTlsVerifierOptions ecs_verifier;  // the expected ECS identity (MakeEcsVerifierOptions)
  const Clock* clock = nullptr;               // certificate times; required, must outlive the client
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{30'000};
};

class ProvisioningClient {
 public:
  // `platform` must outlive the client. kInvalidArgument for a bad URL or verifier options.
  static Result<std::unique_ptr<ProvisioningClient>> Create(tee::Platform* platform, ProvisioningOptions options);

  Result<ProvisionedCredentials> Provision();

 private:
  ProvisioningClient(tee::Platform* platform, ProvisioningOptions options, EcsAddress address,
                     attest::RaTlsVerifier verifier)
      : platform_(platform), options_(std::move(options)), address_(std::move(address)), verifier_(std::move(verifier)) {}

  tee::Platform* const platform_;
  const ProvisioningOptions options_;
  const EcsAddress address_;
  const attest::RaTlsVerifier verifier_;
};

bool IsProvisioningRefusal(const Status& status);
bool IsEcsIdentityMismatch(const Status& status);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_PROVISIONING_CLIENT_H_
