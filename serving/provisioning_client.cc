#include "serving/provisioning_client.h"

#include <openssl/crypto.h>

#include <charconv>
#include <string>

#include <nlohmann/json.hpp>

#include "attest/ratls_certificate.h"
#include "net/http_client.h"
#include "net/tls_context.h"

namespace s3ml::serving {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// The "error" member of a JSON error body, or a placeholder (never the raw body: it is untrusted).
std::string ErrorMessageOf(std::string_view body) {
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) {
    std::string message = parsed["error"].get<std::string>();
    if (message.size() > 1024) message.resize(1024);
    return message;
  }
  return "(no error message)";
}

void WipeString(std::string& text) {
  if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
}

}  // namespace

Result<EcsAddress> ParseEcsUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (!StartsWith(url, kScheme)) return InvalidArgument("--ecs must be an https:// URL");
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return InvalidArgument("--ecs must not have a path");
  EcsAddress address;
  std::string_view port_text;
  if (StartsWith(rest, "[")) {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return InvalidArgument("--ecs has an unterminated IPv6 address");
    address.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return InvalidArgument("--ecs has junk after the IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = rest.rfind(':');
    address.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
  }
  if (address.host.empty()) return InvalidArgument("--ecs has no host");
  if (!port_text.empty() || rest.find(':') != std::string_view::npos) {
    unsigned value = 0;
    auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return InvalidArgument("--ecs has an invalid port");
    }
    address.port = static_cast<uint16_t>(value);
  }
  return address;
}

Result<std::unique_ptr<ProvisioningClient>> ProvisioningClient::Create(tee::Platform* platform,
                                                                       ProvisioningOptions options) {
  if (platform == nullptr) return InvalidArgument("provisioning needs a TEE platform");
  if (options.clock == nullptr) return InvalidArgument("provisioning needs a clock");
  S3ML_ASSIGN_OR_RETURN(EcsAddress address, ParseEcsUrl(options.ecs_url));
  S3ML_ASSIGN_OR_RETURN(attest::RaTlsVerifier verifier, attest::RaTlsVerifier::Create(options.ecs_verifier));
  return std::unique_ptr<ProvisioningClient>(
      new ProvisioningClient(platform, std::move(options), std::move(address), std::move(verifier)));
}

Result<ProvisionedCredentials> ProvisioningClient::Provision() {
  attest::RaTlsCertificateOptions certificate_options;
  certificate_options.common_name = "s3ml model server";
  // Only lives for this one provisioning call.
  certificate_options.lifetime_seconds = 3600;
  Result<attest::RaTlsCredentials> credentials =
      attest::CreateRaTlsCertificate(*platform_, certificate_options, *options_.clock);
  if (!credentials.ok()) return credentials.status().WithContext("RA-TLS client certificate");

  net::TlsClientOptions tls;
  tls.verifier = verifier_.AsPeerVerifier();
  tls.certificate_chain_pem = credentials.value().certificate_pem;
  tls.private_key_pem.assign(credentials.value().private_key_pem.data(),
                             credentials.value().private_key_pem.data() + credentials.value().private_key_pem.size());
  tls.clock = options_.clock;
  Result<std::shared_ptr<const net::TlsContext>> context = net::TlsContext::CreateClient(tls);
  WipeString(tls.private_key_pem);
  if (!context.ok()) return context.status().WithContext("provisioning TLS context");

  net::HttpClientOptions client_options;
  client_options.tls = context.value();
  client_options.connect_timeout = options_.connect_timeout;
  client_options.request_timeout = options_.request_timeout;
  client_options.max_response_body_bytes = 1 << 20;  // a certificate chain, a key and model keys
  net::HttpClient client(address_.host, address_.port, client_options);
  Result<net::HttpResponse> response = client.Post(kProvisionPath, "{}");
  if (!response.ok()) {
    // The HTTP client reports a refused server certificate as kPermissionDenied, with our
    // verifier's reason: the peer is not the ECS we were told to trust.
    if (response.status().code() == StatusCode::kPermissionDenied) {
      return PermissionDenied(kEcsIdentityMismatchPrefix + response.status().message());
    }
    return response.status().WithContext("ECS " + options_.ecs_url);
  }
  net::HttpResponse& answer = response.value();
  Result<ProvisionedCredentials> parsed = InvalidArgument("unreachable");
  switch (answer.status) {
    case 200:
      parsed = ParseProvisionResponse(answer.body);
      break;
    case 403: {
      std::string reason = ErrorMessageOf(answer.body);
      if (StartsWith(reason, kProvisioningRefusedPrefix)) reason.erase(0, std::string_view(kProvisioningRefusedPrefix).size());
      parsed = PermissionDenied(kProvisioningRefusedPrefix + reason);
      break;
    }
    case 503:
      parsed = Unavailable("ECS is not ready: " + ErrorMessageOf(answer.body));
      break;
    default:
      parsed = Internal("ECS answered HTTP " + std::to_string(answer.status) + ": " + ErrorMessageOf(answer.body));
  }
  WipeString(answer.body);
  return parsed;
}

bool IsProvisioningRefusal(const Status& status) {
  return status.code() == StatusCode::kPermissionDenied && StartsWith(status.message(), kProvisioningRefusedPrefix);
}

bool IsEcsIdentityMismatch(const Status& status) {
  return status.code() == StatusCode::kPermissionDenied && StartsWith(status.message(), kEcsIdentityMismatchPrefix);
}

}  // namespace s3ml::serving
