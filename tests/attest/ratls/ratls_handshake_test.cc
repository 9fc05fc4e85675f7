// Mutual RA-TLS over real loopback TLS (net::HttpServer / net::HttpClient): each side verifies
// the other's certificate inside the handshake with RaTlsVerifier::AsPeerVerifier and sees the
// other's enclave identity as the connection's claims.
#include <gtest/gtest.h>

#include <any>

#include "attest/ratls_certificate.h"
#include "attest/ratls_verifier.h"
#include "core/hex.h"
#include "crypto/x509_builder.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "net/router.h"
#include "tests/attest/ratls/ratls_test_env.h"

namespace s3ml::attest {
namespace {

using testing::PolicyForSigner;
using testing::RaTlsTestEnv;
using testing::SimVerifierOptions;
using testing::TestEnclave;
using tee::testing::kVerifyTime;

std::string AsString(const crypto::SecretBytes& s) { return std::string(s.data(), s.data() + s.size()); }

// Answers GET /whoami with the MRSIGNER the handshake established for the client.
net::Router WhoAmIRouter() {
  net::Router router;
  Status added = router.Add("GET", "/whoami", [](net::HttpRequest request, net::HttpResponder respond) {
    const auto* identity = std::any_cast<RaTlsPeerIdentity>(&request.peer->claims);
    if (identity == nullptr) {
      respond(net::HttpResponse::Error(403, "no RA-TLS identity"));
      return;
    }
    respond(net::HttpResponse::Text(200, HexEncode(identity->enclave.mrsigner)));
  });
  EXPECT_TRUE(added.ok());
  return router;
}

class RaTlsHandshakeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new RaTlsTestEnv();
    server_enclave_ = new TestEnclave(env_->AddEnclave("ecs", 1, 1));
    client_enclave_ = new TestEnclave(env_->AddEnclave("model_server", 2, 4));
  }
  static void TearDownTestSuite() {
    delete client_enclave_;
    delete server_enclave_;
    delete env_;
  }

  static RaTlsCredentials Credentials(const TestEnclave& enclave) {
    auto platform = env_->PlatformOf(enclave);
    RaTlsCertificateOptions options;
    options.ip_addresses = {"127.0.0.1"};
    auto creds = CreateRaTlsCertificate(*platform, options, FixedClock(kVerifyTime));
    EXPECT_TRUE(creds.ok()) << creds.status().ToString();
    return std::move(creds).value();
  }

  net::PeerVerifier VerifierFor(const AttestationPolicy& policy) {
    auto verifier = RaTlsVerifier::Create(SimVerifierOptions(*env_, policy, &clock_));
    EXPECT_TRUE(verifier.ok()) << verifier.status().ToString();
    return verifier->AsPeerVerifier();
  }

  // Starts an RA-TLS server with `server_pem`/`server_key` that requires RA-TLS clients of
  // client_enclave_.
  std::unique_ptr<net::HttpServer> StartServer(const std::string& server_pem, const std::string& server_key) {
    net::TlsServerOptions tls;
    tls.certificate_chain_pem = server_pem;
    tls.private_key_pem = server_key;
    tls.client_certificate = net::ClientCertificateMode::kRequire;
    tls.verifier = VerifierFor(PolicyForSigner(*client_enclave_));
    tls.clock = &clock_;
    auto context = net::TlsContext::CreateServer(tls);
    EXPECT_TRUE(context.ok()) << context.status().ToString();
    net::HttpServerOptions options;
    options.tls = *context;
    options.io_threads = 1;
    auto server = std::make_unique<net::HttpServer>(options, WhoAmIRouter());
    EXPECT_TRUE(server->Start().ok());
    return server;
  }

  net::HttpClientOptions ClientOptions(const RaTlsCredentials& creds, const AttestationPolicy& server_policy) {
    net::TlsClientOptions tls;
    tls.verifier = VerifierFor(server_policy);
    tls.certificate_chain_pem = creds.certificate_pem;
    tls.private_key_pem = AsString(creds.private_key_pem);
    tls.clock = &clock_;
    auto context = net::TlsContext::CreateClient(tls);
    EXPECT_TRUE(context.ok()) << context.status().ToString();
    net::HttpClientOptions options;
    options.tls = *context;
    options.connect_timeout = std::chrono::milliseconds(5000);
    options.request_timeout = std::chrono::milliseconds(5000);
    return options;
  }

  static RaTlsTestEnv* env_;
  static TestEnclave* server_enclave_;
  static TestEnclave* client_enclave_;
  FixedClock clock_{kVerifyTime + 60};
};
RaTlsTestEnv* RaTlsHandshakeTest::env_ = nullptr;
TestEnclave* RaTlsHandshakeTest::server_enclave_ = nullptr;
TestEnclave* RaTlsHandshakeTest::client_enclave_ = nullptr;

TEST_F(RaTlsHandshakeTest, MutualHandshakeBetweenTwoEnclavesShowsEachOthersIdentity) {
  RaTlsCredentials server_creds = Credentials(*server_enclave_);
  RaTlsCredentials client_creds = Credentials(*client_enclave_);
  auto server = StartServer(server_creds.certificate_pem, AsString(server_creds.private_key_pem));
  net::HttpClient client("127.0.0.1", server->port(), ClientOptions(client_creds, PolicyForSigner(*server_enclave_)));
  auto response = client.Get("/whoami");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, HexEncode(client_enclave_->mrsigner));  // the server saw the client enclave

  auto peer = client.peer();
  ASSERT_NE(peer, nullptr);
  const auto* server_identity = std::any_cast<RaTlsPeerIdentity>(&peer->claims);
  ASSERT_NE(server_identity, nullptr);
  EXPECT_EQ(server_identity->enclave.mrsigner, server_enclave_->mrsigner);
  EXPECT_EQ(server_identity->enclave.mrenclave, server_enclave_->mrenclave);
  EXPECT_EQ(server_identity->enclave.isv_prod_id, 1);
  EXPECT_TRUE(server_identity->simulated);
  server->Shutdown(std::chrono::milliseconds(0));
}

TEST_F(RaTlsHandshakeTest, ServerOfAnotherSignerIsRefusedByTheClient) {
  RaTlsCredentials server_creds = Credentials(*server_enclave_);
  RaTlsCredentials client_creds = Credentials(*client_enclave_);
  auto server = StartServer(server_creds.certificate_pem, AsString(server_creds.private_key_pem));
  // The client expects the server to be signed by the client enclave's signer: policy refusal.
  net::HttpClient client("127.0.0.1", server->port(), ClientOptions(client_creds, PolicyForSigner(*client_enclave_)));
  auto response = client.Get("/whoami");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kPermissionDenied) << response.status().ToString();
  EXPECT_NE(response.status().message().find("policy rule identity"), std::string::npos)
      << response.status().ToString();
  server->Shutdown(std::chrono::milliseconds(0));
}

TEST_F(RaTlsHandshakeTest, ServerCertificateWithAnotherKeysQuoteFailsKeyBinding) {
  // The server holds key B but presents a genuine quote bound to key A.
  auto platform = env_->PlatformOf(*server_enclave_);
  auto key_a = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  auto key_b = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  auto quote = platform->GetQuote(RaTlsReportData(key_a.PublicKeyDer().value(), {}));
  ASSERT_TRUE(quote.ok()) << quote.status().ToString();
  crypto::X509Builder b;
  b.SetSubject({{"CN", "replayed"}}).SetValidity(kVerifyTime, kVerifyTime + 86400).SetPublicKey(key_b);
  b.AddSubjectAltNameIp("127.0.0.1");
  b.AddExtension(kRaTlsQuoteOid, *quote);
  auto cert = b.Build(key_b);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  auto server = StartServer(cert->Pem().value(), AsString(key_b.PrivateKeyPem().value()));

  RaTlsCredentials client_creds = Credentials(*client_enclave_);
  net::HttpClient client("127.0.0.1", server->port(), ClientOptions(client_creds, PolicyForSigner(*server_enclave_)));
  auto response = client.Get("/whoami");
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.status().message().find("key binding"), std::string::npos) << response.status().ToString();
  server->Shutdown(std::chrono::milliseconds(0));
}

TEST_F(RaTlsHandshakeTest, ClientWithoutQuoteIsRefusedByTheServer) {
  RaTlsCredentials server_creds = Credentials(*server_enclave_);
  auto server = StartServer(server_creds.certificate_pem, AsString(server_creds.private_key_pem));
  // An ordinary self-signed client certificate: no RA-TLS extension.
  auto key = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  crypto::X509Builder b;
  b.SetSubject({{"CN", "not an enclave"}}).SetValidity(kVerifyTime, kVerifyTime + 86400).SetPublicKey(key);
  auto cert = b.Build(key);
  ASSERT_TRUE(cert.ok());
  crypto::SecretBytes key_pem = key.PrivateKeyPem().value();
  RaTlsCredentials plain{*cert, cert->Pem().value(), cert->Der(), std::move(key), std::move(key_pem)};
  net::HttpClient client("127.0.0.1", server->port(), ClientOptions(plain, PolicyForSigner(*server_enclave_)));
  auto response = client.Get("/whoami");
  // TLS 1.3: the server's refusal may surface as a failed handshake or a dropped connection.
  EXPECT_FALSE(response.ok()) << "a non-RA-TLS client was served: " << response->body;
  server->Shutdown(std::chrono::milliseconds(0));
}

TEST_F(RaTlsHandshakeTest, ExpiredServerCertificateFailsTheHandshake) {
  auto platform = env_->PlatformOf(*server_enclave_);
  RaTlsCertificateOptions options;
  options.lifetime_seconds = 30;  // valid until kVerifyTime + 30; the verifiers run at kVerifyTime + 60
  options.backdate_seconds = 0;
  auto server_creds = CreateRaTlsCertificate(*platform, options, FixedClock(kVerifyTime));
  ASSERT_TRUE(server_creds.ok()) << server_creds.status().ToString();
  auto server = StartServer(server_creds->certificate_pem, AsString(server_creds->private_key_pem));
  RaTlsCredentials client_creds = Credentials(*client_enclave_);
  net::HttpClient client("127.0.0.1", server->port(), ClientOptions(client_creds, PolicyForSigner(*server_enclave_)));
  auto response = client.Get("/whoami");
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.status().message().find("validity"), std::string::npos) << response.status().ToString();
  server->Shutdown(std::chrono::milliseconds(0));
}

}  // namespace
}  // namespace s3ml::attest
