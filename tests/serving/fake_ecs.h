// FakeEcs: an in-process stand-in for the ECS (ecs/, s3ml-ecs) in the serving tests.
//
// It serves POST /v1/provision over mutual RA-TLS with a real RA-TLS server certificate made on
// the given platform (a simulated "ECS" enclave), verifies the caller's RA-TLS certificate inside
// the handshake with the given verifier options (as the ECS does before applying the manifest),
// and then answers a fixed document: the test PKI's server certificate and key as the "service
// certificate" and fixed model keys, or a fixed 403 refusal, or 503. Manifest rules, key
// generation, sealing and audit are the ECS's and are not modelled.
#ifndef S3ML_TESTS_SERVING_FAKE_ECS_H_
#define S3ML_TESTS_SERVING_FAKE_ECS_H_

#include <gtest/gtest.h>

#include <any>
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "attest/ratls_certificate.h"
#include "attest/ratls_verifier.h"
#include "net/http_server.h"
#include "core/base64.h"
#include "tests/net/test_certificates.h"

namespace s3ml::serving::testing {

enum class EcsMode { kProvision, kRefuse, kNotReady };

class FakeEcs {
 public:
  FakeEcs(tee::Platform& ecs_platform, attest::RaTlsVerifierOptions client_verifier, const Clock* clock,
          const net::testing::TestPki& pki, std::map<std::string, std::vector<uint8_t>> model_keys)
      : pki_(pki), model_keys_(std::move(model_keys)) {
    attest::RaTlsCertificateOptions options;
    options.ip_addresses = {"127.0.0.1"};
    auto credentials = attest::CreateRaTlsCertificate(ecs_platform, options, *clock);
    EXPECT_TRUE(credentials.ok()) << credentials.status().ToString();
    auto verifier = attest::RaTlsVerifier::Create(std::move(client_verifier));
    EXPECT_TRUE(verifier.ok()) << verifier.status().ToString();

    net::TlsServerOptions tls;
    tls.certificate_chain_pem = credentials.value().certificate_pem;
    tls.private_key_pem.assign(credentials.value().private_key_pem.data(),
                               credentials.value().private_key_pem.data() + credentials.value().private_key_pem.size());
    tls.client_certificate = net::ClientCertificateMode::kRequire;
    tls.verifier = verifier.value().AsPeerVerifier();
    tls.clock = clock;
    net::Router router;
    EXPECT_TRUE(router
                    .Add("POST", "/v1/provision",
                         [this](net::HttpRequest request, net::HttpResponder respond) { Handle(request, respond); })
                    .ok());
    net::HttpServerOptions server_options;
    server_options.tls = net::TlsContext::CreateServer(tls).value();
    server_ = std::make_unique<net::HttpServer>(server_options, std::move(router));
    EXPECT_TRUE(server_->Start().ok());
  }
  ~FakeEcs() { server_->Shutdown(std::chrono::milliseconds(0)); }

  std::string url() const { return "https://127.0.0.1:" + std::to_string(server_->port()); }

  std::atomic<EcsMode> mode{EcsMode::kProvision};
  std::atomic<int64_t> not_after{0};
  std::atomic<int64_t> renew_after{0};
  std::atomic<int> provisions{0};
  std::atomic<bool> saw_enclave_identity{false};

 private:
  void Handle(const net::HttpRequest& request, const net::HttpResponder& respond) {
    if (request.body != "{}") return respond(net::HttpResponse::Error(400, "body must be {}"));
    saw_enclave_identity = std::any_cast<attest::RaTlsPeerIdentity>(&request.peer->claims) != nullptr;
    switch (mode.load()) {
      case EcsMode::kRefuse:
        return respond(net::HttpResponse::Error(403, "provisioning refused: MRENCLAVE not allowed"));
      case EcsMode::kNotReady:
        return respond(net::HttpResponse::Error(503, "no manifest yet"));
      case EcsMode::kProvision:
        break;
    }
    ++provisions;
    nlohmann::json models = nlohmann::json::object();
    for (const auto& [name, key] : model_keys_) models[name] = Base64Encode(key);
    nlohmann::json answer = {{"identity", "model-server"},
                             {"certificate_chain_pem", pki_.server.certificate_pem + pki_.ca.certificate_pem},
                             {"private_key_pem", pki_.server.private_key_pem},
                             {"root_ca_pem", pki_.ca.certificate_pem},
                             {"not_after", not_after.load()},
                             {"renew_after", renew_after.load()},
                             {"models", models},
                             {"manifest_sha256", std::string(64, '0')}};
    respond(net::HttpResponse::Json(200, answer.dump()));
  }

  const net::testing::TestPki& pki_;
  const std::map<std::string, std::vector<uint8_t>> model_keys_;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace s3ml::serving::testing

#endif  // S3ML_TESTS_SERVING_FAKE_ECS_H_
