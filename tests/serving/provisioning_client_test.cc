// ProvisioningClient and a whole ModelServer against an in-process fake ECS (fake_ecs.h says what
// it replaces), with real RA-TLS certificates of simulated enclaves (tests/attest/ratls's env).
#include <gtest/gtest.h>

#include <any>
#include <atomic>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "attest/ratls_certificate.h"
#include "attest/ratls_verifier.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "core/base64.h"
#include "serving/model_server.h"
#include "serving/provisioning_client.h"
#include "tests/attest/ratls/ratls_test_env.h"
#include "tests/net/test_certificates.h"
#include "tests/serving/fake_ecs.h"
#include "tests/serving/served_model_fixture.h"
#include "tests/serving/settable_clock.h"

namespace s3ml::serving {
namespace {

using attest::testing::PolicyForSigner;
using attest::testing::RaTlsTestEnv;
using attest::testing::SimVerifierOptions;
using attest::testing::TestEnclave;
using nlohmann::json;
using tee::testing::kVerifyTime;
using testing::EcsMode;

class ProvisioningTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new RaTlsTestEnv();
    ecs_ = new TestEnclave(env_->AddEnclave("ecs", 1, 1));
    server_ = new TestEnclave(env_->AddEnclave("model_server", 2, 4));
    impostor_ = new TestEnclave(env_->AddEnclave("impostor", 1, 1));
    pki_ = new net::testing::TestPki(net::testing::MakeTestPki());
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete impostor_;
    delete server_;
    delete ecs_;
    delete env_;
  }

  // A fake ECS running as enclave `ecs` that accepts callers signed like `allowed_server`.
  std::unique_ptr<testing::FakeEcs> StartEcs(const TestEnclave& ecs, const TestEnclave& allowed_server) {
    auto platform = env_->PlatformOf(ecs);
    auto fake = std::make_unique<testing::FakeEcs>(*platform, SimVerifierOptions(*env_, PolicyForSigner(allowed_server), &clock_),
                                                   &clock_, *pki_, std::map<std::string, std::vector<uint8_t>>{{"mobilenet", testing::TestKey(1)}});
    fake->not_after = kVerifyTime + 200000;
    fake->renew_after = kVerifyTime + 100000;
    return fake;
  }
  ProvisioningOptions OptionsFor(const testing::FakeEcs& ecs, const TestEnclave& expected_ecs) {
    ProvisioningOptions options;
    options.ecs_url = ecs.url();
    options.ecs_verifier = SimVerifierOptions(*env_, PolicyForSigner(expected_ecs), &clock_);
    options.clock = &clock_;
    return options;
  }

  static RaTlsTestEnv* env_;
  static TestEnclave* ecs_;
  static TestEnclave* server_;
  static TestEnclave* impostor_;
  static net::testing::TestPki* pki_;
  testing::SettableClock clock_{kVerifyTime};
};

RaTlsTestEnv* ProvisioningTest::env_ = nullptr;
TestEnclave* ProvisioningTest::ecs_ = nullptr;
TestEnclave* ProvisioningTest::server_ = nullptr;
TestEnclave* ProvisioningTest::impostor_ = nullptr;
net::testing::TestPki* ProvisioningTest::pki_ = nullptr;

TEST_F(ProvisioningTest, ProvisionsOverMutualRaTls) {
  auto fake = StartEcs(*ecs_, *server_);
  testing::FakeEcs& ecs = *fake;
  auto platform = env_->PlatformOf(*server_);
  auto client = ProvisioningClient::Create(platform.get(), OptionsFor(ecs, *ecs_));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto credentials = client.value()->Provision();
  ASSERT_TRUE(credentials.ok()) << credentials.status().ToString();
  EXPECT_TRUE(ecs.saw_enclave_identity.load());
  EXPECT_EQ(credentials.value().identity, "model-server");
  EXPECT_EQ(credentials.value().root_ca_pem, pki_->ca.certificate_pem);
  ASSERT_EQ(credentials.value().model_keys.count("mobilenet"), 1u);
  EXPECT_TRUE(credentials.value().model_keys.at("mobilenet").Equals(testing::TestKey(1)));
  EXPECT_TRUE(ServiceTlsContext(credentials.value()).ok());
}

TEST_F(ProvisioningTest, EcsRefusalCarriesTheReason) {
  auto fake = StartEcs(*ecs_, *server_);
  testing::FakeEcs& ecs = *fake;
  ecs.mode = EcsMode::kRefuse;
  auto platform = env_->PlatformOf(*server_);
  auto client = ProvisioningClient::Create(platform.get(), OptionsFor(ecs, *ecs_));
  ASSERT_TRUE(client.ok());
  auto credentials = client.value()->Provision();
  ASSERT_FALSE(credentials.ok());
  EXPECT_TRUE(IsProvisioningRefusal(credentials.status())) << credentials.status().ToString();
  EXPECT_EQ(credentials.status().message(), "provisioning refused: MRENCLAVE not allowed");
}

TEST_F(ProvisioningTest, EcsNotReadyIsUnavailable) {
  auto fake = StartEcs(*ecs_, *server_);
  testing::FakeEcs& ecs = *fake;
  ecs.mode = EcsMode::kNotReady;
  auto platform = env_->PlatformOf(*server_);
  auto client = ProvisioningClient::Create(platform.get(), OptionsFor(ecs, *ecs_));
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client.value()->Provision().status().code(), StatusCode::kUnavailable);
}

TEST_F(ProvisioningTest, AnotherEnclaveAsEcsIsAnIdentityMismatch) {
  // The "ECS" here is the impostor enclave; the server expects the real ECS's signer.
  auto fake = StartEcs(*impostor_, *server_);
  testing::FakeEcs& ecs = *fake;
  auto platform = env_->PlatformOf(*server_);
  auto client = ProvisioningClient::Create(platform.get(), OptionsFor(ecs, *ecs_));
  ASSERT_TRUE(client.ok());
  auto credentials = client.value()->Provision();
  ASSERT_FALSE(credentials.ok());
  EXPECT_TRUE(IsEcsIdentityMismatch(credentials.status())) << credentials.status().ToString();
  EXPECT_NE(credentials.status().message().find("MRSIGNER"), std::string::npos) << credentials.status().message();
  EXPECT_EQ(ecs.provisions.load(), 0);
}

TEST_F(ProvisioningTest, ServerOfAnotherIdentityIsRefusedInTheHandshake) {
  auto fake = StartEcs(*ecs_, *server_);
  testing::FakeEcs& ecs = *fake;
  auto platform = env_->PlatformOf(*impostor_);  // not the server identity the fake ECS accepts
  auto client = ProvisioningClient::Create(platform.get(), OptionsFor(ecs, *ecs_));
  ASSERT_TRUE(client.ok());
  auto credentials = client.value()->Provision();
  ASSERT_FALSE(credentials.ok());
  EXPECT_FALSE(IsProvisioningRefusal(credentials.status()));
  EXPECT_EQ(ecs.provisions.load(), 0);
}

// The whole server: boot (provision, load, listen), serve over the provisioned certificate,
// renew the certificate without dropping a keep-alive connection, drain.
TEST_F(ProvisioningTest, ModelServerBootsServesRenewsAndDrains) {
  auto fake = StartEcs(*ecs_, *server_);
  testing::FakeEcs& ecs = *fake;
  ecs.renew_after = kVerifyTime + 1000;
  const auto root = std::filesystem::path(S3ML_BINARY_DIR) / "tmp" / ("model_server_" + std::to_string(getpid()));
  std::filesystem::remove_all(root);
  testing::AddEncryptedModel(root, "mobilenet", 1, testing::kMobilenetV1, testing::TestKey(1));
  auto platform = env_->PlatformOf(*server_);

  ModelServerOptions options;
  options.store.repository = root.string();
  options.store.load.workers = 1;
  options.provisioning = OptionsFor(ecs, *ecs_);
  options.renewal.max_wait = std::chrono::milliseconds(20);
  auto server = ModelServer::Boot(platform.get(), options);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  EXPECT_EQ(server.value()->identity(), "model-server");
  EXPECT_EQ(server.value()->store().loaded_count(), 1u);

  net::TlsClientOptions tls;
  tls.root_pem = pki_->ca.certificate_pem;
  net::HttpClientOptions client_options;
  client_options.tls = net::TlsContext::CreateClient(tls).value();
  net::HttpClient client("127.0.0.1", server.value()->inference_port(), client_options);
  auto ready = client.Get("/v2/models/mobilenet/ready");
  ASSERT_TRUE(ready.ok()) << ready.status().ToString();
  EXPECT_EQ(ready.value().status, 200);

  // Renewal: move the clock past the first renew_after; the renewer must provision again.
  ecs.renew_after = kVerifyTime + 100000;
  clock_.Set(kVerifyTime + 2000);  // past the first renew_after, within every certificate's validity
  for (int i = 0; i < 400 && ecs.provisions.load() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(ecs.provisions.load(), 2);
  auto again = client.Get("/v2/models/mobilenet/ready");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value().status, 200);
  EXPECT_EQ(client.connections_opened(), 1u);  // the open connection survived the swap

  net::HttpClient metrics("127.0.0.1", server.value()->metrics_port());
  auto page = metrics.Get("/metrics");
  ASSERT_TRUE(page.ok());
  EXPECT_NE(page.value().body.find("s3ml_certificate_expiry_timestamp_seconds " + std::to_string(kVerifyTime + 200000)),  // not_after
            std::string::npos);

  server.value()->Drain();
  EXPECT_EQ(client.Get("/v2/health/ready").value().status, 503);
  server.value()->Shutdown(std::chrono::seconds(2));
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace s3ml::serving
