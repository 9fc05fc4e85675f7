// The ECS end to end: the real s3ml-ecs program on loopback with a simulated SGX host; model
// servers are signed enclave helper processes whose RA-TLS certificates carry real quotes.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "attest/dcap_verifier.h"
#include "attest/sgx_quote.h"
#include "core/base64.h"
#include "core/byte_reader.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/hex.h"
#include "crypto/certificate_chain.h"
#include "crypto/digest.h"
#include "crypto/x509_builder.h"
#include "ecs/audit_log.h"
#include "ecs/client_attestation.h"
#include "ecs/enclave_verifier.h"
#include "net/http_server.h"
#include "tests/ecs/service/ecs_test_env.h"

namespace s3ml::ecs {
namespace {

using attest::testing::TestEnclave;
using nlohmann::json;
using testing::EcsProcess;
using testing::EcsTestHost;
using testing::IdentityJson;
using testing::ManifestJson;
using testing::Owner;

json Body(const net::HttpResponse& r) { return json::parse(r.body, nullptr, false); }

Result<net::HttpResponse> Put(net::HttpClient& client, const std::string& target, const std::string& body,
                              const std::string& signature = "") {
  net::HttpRequest request;
  request.method = "PUT";
  request.target = target;
  request.body = body;
  request.headers.Set("Content-Type", "application/json");
  if (!signature.empty()) request.headers.Set("X-S3ML-Owner-Signature", signature);
  return client.Send(request);
}

// One simulated host, one ECS, shared by the tests of this suite (each test sets what it needs).
class EcsServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    host_ = new EcsTestHost();
    server_ = new TestEnclave(host_->AddEnclave("model_server", 1, 2));
    old_server_ = new TestEnclave(host_->AddEnclave("old_server", 1, 1, false, &server_->signer));
    debug_server_ = new TestEnclave(host_->AddEnclave("debug_server", 1, 2, true, &server_->signer));
    stranger_ = new TestEnclave(host_->AddEnclave("stranger", 1, 2));
  }
  static void TearDownTestSuite() {
    delete stranger_;
    delete debug_server_;
    delete old_server_;
    delete server_;
    delete host_;
  }

  void SetUp() override { state_dir_ = host_->dir() + "/state-" + std::to_string(counter_++); }

  std::unique_ptr<EcsProcess> Start() { return host_->StartEcs(state_dir_); }

  std::string DefaultManifest(int version = 1, const std::string& extra = "") {
    return ManifestJson(owner_, version,
                        {IdentityJson("model-server", *server_, {"mobilenet_v2", "resnet"}, extra),
                         IdentityJson("other", *stranger_, {"secret-model"}, "", /*by_mrenclave=*/true)});
  }

  void SetManifest(uint16_t port, const std::string& manifest) {
    auto client = host_->Client(port);
    auto r = Put(*client, "/v1/manifest", manifest);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 200) << r->body;
  }

  std::unique_ptr<net::HttpClient> OwnerClient(uint16_t port) {
    return host_->Client(port, owner_.certificate_pem, owner_.key_pem);
  }

  std::unique_ptr<net::HttpClient> EnclaveClient(uint16_t port, const attest::RaTlsCredentials& creds) {
    return host_->Client(port, creds.certificate_pem, testing::AsString(creds.private_key_pem));
  }

  Result<net::HttpResponse> Provision(uint16_t port, const TestEnclave& enclave) {
    auto creds = host_->Credentials(enclave);
    auto client = EnclaveClient(port, creds);
    return client->Post("/v1/provision", "{}");
  }

  void ExpectRefused(uint16_t port, const TestEnclave& enclave, const std::string& fragment) {
    auto r = Provision(port, enclave);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status, 403) << r->body;
    const std::string error = Body(*r).value("error", "");
    EXPECT_TRUE(error.starts_with("provisioning refused: ")) << error;
    EXPECT_NE(error.find(fragment), std::string::npos) << error;
  }

  static EcsTestHost* host_;
  static TestEnclave* server_;
  static TestEnclave* old_server_;
  static TestEnclave* debug_server_;
  static TestEnclave* stranger_;
  static int counter_;
  Owner owner_ = Owner::Create();
  std::string state_dir_;
};
EcsTestHost* EcsServiceTest::host_ = nullptr;
TestEnclave* EcsServiceTest::server_ = nullptr;
TestEnclave* EcsServiceTest::old_server_ = nullptr;
TestEnclave* EcsServiceTest::debug_server_ = nullptr;
TestEnclave* EcsServiceTest::stranger_ = nullptr;
int EcsServiceTest::counter_ = 0;

std::string RootOf(net::HttpClient& client) {
  auto r = client.Get("/v1/attestation?nonce=" + std::string(32, 'a'));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return "";
  EXPECT_EQ(r->status, 200) << r->body;
  return Body(*r).value("root_ca_pem", "");
}

TEST_F(EcsServiceTest, FirstBootThenRestartKeepsTheSameRoot) {
  auto ecs = Start();
  ASSERT_NE(ecs, nullptr);
  auto client = host_->Client(ecs->port());
  auto live = client->Get("/v1/health/live");
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  EXPECT_EQ(live->status, 200);
  EXPECT_EQ(Body(*live)["status"], "live");
  auto ready = client->Get("/v1/health/ready");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 200);
  const std::string root = RootOf(*client);
  ASSERT_FALSE(root.empty());
  client.reset();
  EXPECT_EQ(ecs->Stop(), 0) << ecs->output();

  auto again = Start();
  ASSERT_NE(again, nullptr);
  auto client2 = host_->Client(again->port());
  EXPECT_EQ(RootOf(*client2), root);
}

TEST_F(EcsServiceTest, ASecondEcsOnTheSameStateDirectoryRefusesToStart) {
  auto ecs = Start();
  ASSERT_NE(ecs, nullptr);
  EcsProcess second;
  EXPECT_FALSE(second.Start(host_->ServeArgs(state_dir_), host_->qe_socket()));
  EXPECT_NE(second.output().find("lock"), std::string::npos) << second.output();
}

TEST_F(EcsServiceTest, ManifestFirstFromAnyoneThenOnlySignedHigherVersions) {
  auto ecs = Start();
  ASSERT_NE(ecs, nullptr);
  auto anyone = host_->Client(ecs->port());
  auto missing = anyone->Get("/v1/manifest");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);

  auto invalid = Put(*anyone, "/v1/manifest", "{\"version\": 1}");
  ASSERT_TRUE(invalid.ok());
  EXPECT_EQ(invalid->status, 400) << invalid->body;

  const std::string v1 = DefaultManifest(1);
  auto set = Put(*anyone, "/v1/manifest", v1);
  ASSERT_TRUE(set.ok());
  ASSERT_EQ(set->status, 200) << set->body;
  const std::string v1_hash = HexEncode(crypto::Sha256(AsBytes(v1)));
  EXPECT_EQ(Body(*set)["manifest_sha256"], v1_hash);

  auto got = anyone->Get("/v1/manifest");
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->status, 200);
  EXPECT_EQ(Body(*got)["version"], 1);
  EXPECT_EQ(Body(*got)["manifest_sha256"], v1_hash);
  auto bytes = Base64Decode(Body(*got)["manifest"].get<std::string>());
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(std::string(bytes->begin(), bytes->end()), v1);  // the exact bytes

  const std::string v2 = DefaultManifest(2);
  auto unsigned_update = Put(*anyone, "/v1/manifest", v2);
  ASSERT_TRUE(unsigned_update.ok());
  EXPECT_EQ(unsigned_update->status, 403) << unsigned_update->body;

  Owner impostor = Owner::Create();
  auto wrong_key = Put(*anyone, "/v1/manifest", v2, impostor.SignBase64(v2));
  ASSERT_TRUE(wrong_key.ok());
  EXPECT_EQ(wrong_key->status, 403) << wrong_key->body;

  const std::string v1_again = DefaultManifest(1, "{\"allow_debug\": true}");
  auto lower = Put(*anyone, "/v1/manifest", v1_again, owner_.SignBase64(v1_again));
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ(lower->status, 409) << lower->body;

  auto updated = Put(*anyone, "/v1/manifest", v2, owner_.SignBase64(v2));
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->status, 200) << updated->body;
  EXPECT_EQ(Body(*anyone->Get("/v1/manifest"))["version"], 2);

  auto too_big = Put(*anyone, "/v1/manifest", std::string(2 << 20, ' '));
  EXPECT_TRUE(!too_big.ok() || too_big->status == 413);
}

TEST_F(EcsServiceTest, ProvisioningReturnsAChainToTheRootWithTheManifestNamesAndOnlyAllowedKeys) {
  auto ecs = Start();
  ASSERT_NE(ecs, nullptr);
  SetManifest(ecs->port(), DefaultManifest());
  auto owner = OwnerClient(ecs->port());
  auto generated = owner->Post("/v1/models/mobilenet_v2/key", "");
  ASSERT_TRUE(generated.ok());
  ASSERT_EQ(generated->status, 200) << generated->body;
  auto again = owner->Post("/v1/models/mobilenet_v2/key", "");
  EXPECT_EQ(again->status, 409);
  const std::string secret_key = Base64Encode(std::vector<uint8_t>(32, 0x5a));
  auto uploaded = Put(*owner, "/v1/models/secret-model/key", json{{"key", secret_key}}.dump());
  ASSERT_TRUE(uploaded.ok());
  EXPECT_EQ(uploaded->status, 200) << uploaded->body;
  auto unknown = Put(*owner, "/v1/models/not-in-manifest/key", json{{"key", secret_key}}.dump());
  EXPECT_EQ(unknown->status, 404);
  auto short_key = Put(*owner, "/v1/models/resnet/key", json{{"key", Base64Encode(std::vector<uint8_t>(16, 1))}}.dump());
  EXPECT_EQ(short_key->status, 400);
  // Only the owner may set keys.
  auto anonymous = host_->Client(ecs->port());
  EXPECT_EQ(anonymous->Post("/v1/models/resnet/key", "")->status, 401);
  Owner impostor = Owner::Create();
  auto impostor_client = host_->Client(ecs->port(), impostor.certificate_pem, impostor.key_pem);
  EXPECT_EQ(impostor_client->Post("/v1/models/resnet/key", "")->status, 403);

  auto r = Provision(ecs->port(), *server_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->status, 200) << r->body;
  json body = Body(*r);
  EXPECT_EQ(body["identity"], "model-server");
  ASSERT_EQ(body["models"].size(), 1u) << body["models"].dump();  // resnet has no key; secret-model is another's
  EXPECT_EQ(body["models"]["mobilenet_v2"], Body(*generated)["key"]);
  const int64_t now = SystemClock::Get().NowUnixSeconds();
  EXPECT_NEAR(body["not_after"].get<int64_t>(), now + 3600, 30);
  EXPECT_NEAR(body["renew_after"].get<int64_t>(), now + 2400, 30);

  // The chain verifies to the root, and a TLS server using it is trusted by a client that
  // pins only the root and checks the manifest's name (plain curl --cacert).
  const std::string root_pem = body["root_ca_pem"];
  EXPECT_EQ(root_pem, RootOf(*anonymous));
  net::TlsServerOptions tls;
  tls.certificate_chain_pem = body["certificate_chain_pem"];
  tls.private_key_pem = body["private_key_pem"];
  auto server_context = net::TlsContext::CreateServer(tls);
  ASSERT_TRUE(server_context.ok()) << server_context.status().ToString();
  net::Router router;
  ASSERT_TRUE(router.Add("GET", "/hello", [](net::HttpRequest, net::HttpResponder respond) {
                      respond(net::HttpResponse::Text(200, "hi"));
                    }).ok());
  net::HttpServerOptions server_options;
  server_options.tls = *server_context;
  server_options.io_threads = 1;
  net::HttpServer served(server_options, std::move(router));
  ASSERT_TRUE(served.Start().ok());
  for (const std::string name : {"localhost", "127.0.0.1"}) {
    net::TlsClientOptions client_tls;
    client_tls.root_pem = root_pem;
    net::HttpClientOptions options;
    options.tls = net::TlsContext::CreateClient(client_tls).value();
    options.server_name = name;
    net::HttpClient pinned("127.0.0.1", served.port(), options);
    auto hello = pinned.Get("/hello");
    ASSERT_TRUE(hello.ok()) << name << ": " << hello.status().ToString();
    EXPECT_EQ(hello->body, "hi");
  }
  {
    net::TlsClientOptions client_tls;
    client_tls.root_pem = root_pem;
    net::HttpClientOptions options;
    options.tls = net::TlsContext::CreateClient(client_tls).value();
    options.server_name = "not-in-the-manifest.example";
    net::HttpClient wrong_name("127.0.0.1", served.port(), options);
    EXPECT_FALSE(wrong_name.Get("/hello").ok());
  }
  served.Shutdown(std::chrono::milliseconds(0));

  // Every instance gets the same service key; the stranger (other identity) gets its own models.
  auto second = Provision(ecs->port(), *server_);
  ASSERT_EQ(second->status, 200);
  EXPECT_EQ(Body(*second)["private_key_pem"], body["private_key_pem"]);
  auto stranger = Provision(ecs->port(), *stranger_);
  ASSERT_EQ(stranger->status, 200) << stranger->body;
  EXPECT_EQ(Body(*stranger)["identity"], "other");
  EXPECT_EQ(Body(*stranger)["models"]["secret-model"], secret_key);
  EXPECT_FALSE(Body(*stranger)["models"].contains("mobilenet_v2"));
}

TEST_F(EcsServiceTest, ProvisioningRefusalsNameTheFailedRule) {
  auto ecs = Start();
  ASSERT_NE(ecs, nullptr);
  // Before any manifest: 503.
  auto early = Provision(ecs->port(), *server_);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->status, 503);

  const std::string manifest =
      ManifestJson(owner_, 1,
                   {IdentityJson("model-server", *server_, {"mobilenet_v2"}),
                    IdentityJson("pinned", *stranger_, {"resnet"}, "", /*by_mrenclave=*/true)});
  SetManifest(ecs->port(), manifest);
  // Low ISVSVN (same signer, svn 1 < 2).
  ExpectRefused(ecs->port(), *old_server_, "ISVSVN 1 is below the minimum 2");
  // DEBUG enclave of the right signer.
  ExpectRefused(ecs->port(), *debug_server_, "allow_debug");
  // Wrong MRSIGNER and MRENCLAVE: an enclave nobody listed.
  TestEnclave unknown = host_->AddEnclave("unknown_server", 1, 2);
  ExpectRefused(ecs->port(), unknown, "policy rule identity");
  // Wrong MRENCLAVE for an identity pinned by MRENCLAVE: a rebuilt binary of the stranger's signer.
  TestEnclave rebuilt = host_->AddEnclave("rebuilt_stranger", 1, 2, false, &stranger_->signer);
  ExpectRefused(ecs->port(), rebuilt, "MRENCLAVE");

  // Without an RA-TLS certificate: 401 / 403.
  auto anonymous = host_->Client(ecs->port());
  EXPECT_EQ(anonymous->Post("/v1/provision", "{}")->status, 401);
  auto owner = OwnerClient(ecs->port());
  EXPECT_EQ(owner->Post("/v1/provision", "{}")->status, 403);
  // Unknown request members are refused.
  auto creds = host_->Credentials(*server_);
  auto client = EnclaveClient(ecs->port(), creds);
  EXPECT_EQ(client->Post("/v1/provision", "{\"extra\": 1}")->status, 400);

  // Every refusal is in the audit log with its reason.
  auto audit = owner->Get("/v1/audit");
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->status, 200) << audit->body;
  int refusals = 0;
  const json audit_body = Body(*audit);
  for (const auto& entry : audit_body["entries"]) {
    if (entry["event"] == "provision_refused") {
      ++refusals;
      EXPECT_TRUE(entry["detail"].contains("reason"));
    }
  }
  EXPECT_EQ(refusals, 4) << audit->body;
}

TEST_F(EcsServiceTest, ACertificateWithAnotherKeysQuoteFailsKeyBinding) {
  auto ecs = Start();
  ASSERT_NE(ecs, nullptr);
  SetManifest(ecs->port(), DefaultManifest());
  // A genuine quote of the allowed enclave, bound to key A, in a certificate of key B.
  attest::testing::EnclaveProcessPlatform platform(server_->binary, host_->qe_socket());
  auto key_a = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  auto key_b = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  auto quote = platform.GetQuote(attest::RaTlsReportData(key_a.PublicKeyDer().value(), {}));
  ASSERT_TRUE(quote.ok()) << quote.status().ToString();
  const int64_t now = SystemClock::Get().NowUnixSeconds();
  crypto::X509Builder b;
  b.SetSubject({{"CN", "replayed"}}).SetValidity(now - 60, now + 3600).SetPublicKey(key_b);
  b.AddExtension(attest::kRaTlsQuoteOid, *quote);
  auto cert = b.Build(key_b);
  ASSERT_TRUE(cert.ok());
  auto client = host_->Client(ecs->port(), cert->Pem().value(), testing::AsString(key_b.PrivateKeyPem().value()));
  auto r = client->Post("/v1/provision", "{}");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(Body(*r).value("error", "").find("key binding"), std::string::npos) << r->body;
}

TEST_F(EcsServiceTest, ACapturedCertificateIsUselessWithoutItsKey) {
  auto ecs = Start();
  ASSERT_NE(ecs, nullptr);
  SetManifest(ecs->port(), DefaultManifest());
  auto genuine = host_->Credentials(*server_);
  // The attacker has the certificate (it is public: sent in every handshake) but another key.
  auto other_key = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  net::TlsClientOptions tls;
  tls.verifier = [](const net::CertificateChain&, std::any&) { return Status::Ok(); };
  tls.certificate_chain_pem = genuine.certificate_pem;
  tls.private_key_pem = testing::AsString(other_key.PrivateKeyPem().value());
  auto context = net::TlsContext::CreateClient(tls);
  if (!context.ok()) {
    SUCCEED() << "OpenSSL refuses the mismatched key outright: " << context.status().ToString();
    return;
  }
  net::HttpClientOptions options;
  options.tls = *context;
  net::HttpClient client("127.0.0.1", ecs->port(), options);
  auto r = client.Post("/v1/provision", "{}");
  EXPECT_TRUE(!r.ok() || r->status != 200) << r->body;
}

TEST_F(EcsServiceTest, ClientAttestationBindsRootManifestAndNonce) {
  auto ecs = Start();
  ASSERT_NE(ecs, nullptr);
  auto client = host_->Client(ecs->port());
  const std::vector<uint8_t> nonce(24, 0x3c);
  // Before the manifest: null manifest, zero hash.
  auto before = client->Get("/v1/attestation?nonce=" + HexEncode(nonce));
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->status, 200) << before->body;
  EXPECT_TRUE(Body(*before)["manifest"].is_null());
  EXPECT_EQ(Body(*before)["manifest_sha256"], std::string(64, '0'));

  const std::string manifest = DefaultManifest();
  SetManifest(ecs->port(), manifest);
  auto r = client->Get("/v1/attestation?nonce=" + HexEncode(nonce));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  json body = Body(*r);
  auto quote_bytes = Base64Decode(body["quote"].get<std::string>());
  ASSERT_TRUE(quote_bytes.ok());
  auto verified = attest::VerifyDcapQuote(*quote_bytes, host_->collateral(), host_->anchors(),
                                          SystemClock::Get().NowUnixSeconds());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->identity.mrenclave, host_->ecs_mrenclave());
  EXPECT_EQ(verified->identity.mrsigner, host_->ecs_mrsigner());
  auto manifest_bytes = Base64Decode(body["manifest"].get<std::string>());
  ASSERT_TRUE(manifest_bytes.ok());
  const auto manifest_hash = crypto::Sha256(*manifest_bytes);
  EXPECT_EQ(body["manifest_sha256"], HexEncode(manifest_hash));
  EXPECT_EQ(std::string(manifest_bytes->begin(), manifest_bytes->end()), manifest);
  auto root = crypto::X509Certificate::FromPem(body["root_ca_pem"].get<std::string>());
  ASSERT_TRUE(root.ok());
  const auto expected = AttestationReportData(root->Der(), manifest_hash, nonce);
  EXPECT_EQ(verified->identity.report_data, expected);
  // Another nonce, another binding.
  EXPECT_NE(verified->identity.report_data, AttestationReportData(root->Der(), manifest_hash, std::vector<uint8_t>(24, 1)));

  EXPECT_EQ(client->Get("/v1/attestation?nonce=abcd")->status, 400);
  EXPECT_EQ(client->Get("/v1/attestation")->status, 400);
}

TEST_F(EcsServiceTest, AuditLogIsOwnerOnlyAndVerifies) {
  auto ecs = Start();
  ASSERT_NE(ecs, nullptr);
  SetManifest(ecs->port(), DefaultManifest());
  auto owner = OwnerClient(ecs->port());
  ASSERT_EQ(owner->Post("/v1/models/mobilenet_v2/key", "")->status, 200);
  ASSERT_EQ(Provision(ecs->port(), *server_)->status, 200);
  ExpectRefused(ecs->port(), *old_server_, "ISVSVN");

  EXPECT_EQ(host_->Client(ecs->port())->Get("/v1/audit")->status, 401);
  Owner impostor = Owner::Create();
  EXPECT_EQ(host_->Client(ecs->port(), impostor.certificate_pem, impostor.key_pem)->Get("/v1/audit")->status, 403);

  auto r = owner->Get("/v1/audit");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200);
  json body = Body(*r);
  auto log = AuditLog::FromJson(body);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  std::vector<std::string> events;
  for (const auto& e : log->entries()) events.push_back(e.event);
  EXPECT_EQ(events, (std::vector<std::string>{"first_boot", "manifest_set", "model_key_generated", "provision",
                                               "provision_refused"}));
  // No key material anywhere in the log.
  const std::string text = body.dump();
  EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos);
  auto key_response = Provision(ecs->port(), *server_);
  const std::string model_key = Body(*key_response)["models"]["mobilenet_v2"];
  EXPECT_EQ(owner->Get("/v1/audit")->body.find(model_key), std::string::npos);
  // A removed entry is detected.
  body["entries"].erase(body["entries"].begin() + 2);
  EXPECT_FALSE(AuditLog::FromJson(body).ok());
}

TEST_F(EcsServiceTest, EnclaveVerifierCachesOnlyWhileTheCertificateAndCollateralAreValid) {
  const int64_t now = SystemClock::Get().NowUnixSeconds();
  FixedClock clock(now);
  // Stands in for s3ml-ecs's directory / PCCS source: the host's collateral, counting calls.
  class CountingSource final : public attest::CollateralSource {
   public:
    CountingSource(attest::Collateral collateral, std::atomic<int>* calls)
        : collateral_(std::move(collateral)), calls_(calls) {}
    Result<attest::Collateral> CollateralFor(const attest::SgxQuote&) override {
      calls_->fetch_add(1);
      return collateral_;
    }

   private:
    attest::Collateral collateral_;
    std::atomic<int>* calls_;
  };
  std::atomic<int> collateral_calls{0};
  EnclaveVerifierOptions options;
  options.anchors = host_->anchors();
  options.collateral = std::make_shared<CountingSource>(host_->collateral(), &collateral_calls);
  options.clock = &clock;
  auto verifier = EnclaveVerifier::Create(std::move(options));
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  auto creds = host_->Credentials(*server_);
  auto first = (*verifier)->Verify(creds.certificate_der);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->quote.identity.mrenclave, server_->mrenclave);
  EXPECT_EQ(first->spki_der, creds.certificate.SubjectPublicKeyInfoDer().value());
  auto second = (*verifier)->Verify(creds.certificate_der);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ((*verifier)->cache_hits(), 1u);
  EXPECT_EQ(collateral_calls.load(), 1);
  // Past the certificate's notAfter the cached verdict is not reused: full verification fails.
  clock.Set(first->certificate_not_after + 1);
  auto expired = (*verifier)->Verify(creds.certificate_der);
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.status().message().find("validity"), std::string::npos) << expired.status().ToString();
  EXPECT_EQ((*verifier)->cache_hits(), 1u);
  // A certificate that is not RA-TLS, or garbage, is refused with the parsing step named.
  auto garbage = (*verifier)->Verify(std::vector<uint8_t>{1, 2, 3});
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("RA-TLS"), std::string::npos);
}

TEST(EcsHostTest, ExpiredCollateralRefusesProvisioning) {
  testing::HostOptions options;
  options.created_seconds_ago = 31 * 86400;
  options.validity_days = 30;
  EcsTestHost host(options);
  TestEnclave server = host.AddEnclave("server", 1, 2);
  Owner owner = Owner::Create();
  tee::testing::TempDir state;
  auto ecs = host.StartEcs(state.path() + "/state");
  ASSERT_NE(ecs, nullptr);
  auto anyone = host.Client(ecs->port(), "", "", /*verify_ecs=*/false);
  ASSERT_EQ(Put(*anyone, "/v1/manifest", ManifestJson(owner, 1, {IdentityJson("s", server, {})}))->status, 200);
  auto creds = host.Credentials(server);
  auto client = host.Client(ecs->port(), creds.certificate_pem, testing::AsString(creds.private_key_pem), false);
  auto r = client->Post("/v1/provision", "{}");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 403) << r->body;
  const std::string error = Body(*r).value("error", "");
  EXPECT_NE(error.find("DCAP verification"), std::string::npos) << error;
  EXPECT_NE(error.find("expired"), std::string::npos) << error;
}

TEST(EcsHostTest, UnacceptedTcbStatusRefusesProvisioning) {
  testing::HostOptions options;
  options.tcb_status = "OutOfDate";
  EcsTestHost host(options);
  TestEnclave server = host.AddEnclave("server", 1, 2);
  Owner owner = Owner::Create();
  tee::testing::TempDir state;
  auto ecs = host.StartEcs(state.path() + "/state");
  ASSERT_NE(ecs, nullptr);
  auto anyone = host.Client(ecs->port(), "", "", /*verify_ecs=*/false);
  ASSERT_EQ(Put(*anyone, "/v1/manifest", ManifestJson(owner, 1, {IdentityJson("s", server, {})}))->status, 200);
  auto creds = host.Credentials(server);
  auto client = host.Client(ecs->port(), creds.certificate_pem, testing::AsString(creds.private_key_pem), false);
  auto r = client->Post("/v1/provision", "{}");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 403) << r->body;
  EXPECT_NE(Body(*r).value("error", "").find("TCB status OutOfDate"), std::string::npos) << r->body;
}

TEST(EcsHostTest, RecoveryOnANewHostKeepsTheRoot) {
  EcsTestHost first;
  Owner owner = Owner::Create();
  TestEnclave server = first.AddEnclave("server", 1, 2);
  tee::testing::TempDir dirs;
  const std::string state = dirs.path() + "/state";
  std::string root;
  {
    auto ecs = first.StartEcs(state);
    ASSERT_NE(ecs, nullptr);
    auto client = first.Client(ecs->port());
    ASSERT_EQ(Put(*client, "/v1/manifest", ManifestJson(owner, 1, {IdentityJson("s", server, {})}))->status, 200);
    root = RootOf(*client);
    client.reset();
    ASSERT_EQ(ecs->Stop(), 0);
  }
  // The host is lost; its state directory is copied to a new host with another platform secret.
  EcsTestHost second;
  const std::string moved = dirs.path() + "/moved";
  std::filesystem::copy(state, moved, std::filesystem::copy_options::recursive);
  std::filesystem::remove(moved + "/lock");
  EcsProcess refused;
  EXPECT_FALSE(refused.Start(second.ServeArgs(moved), second.qe_socket())) << "served a state of another host";
  EXPECT_NE(refused.output().find("recover"), std::string::npos) << refused.output();

  const std::string key_path = dirs.path() + "/recovery.key.pem";
  ASSERT_TRUE(WriteFileAtomic(key_path, AsBytes(owner.recovery_key_pem), 0600).ok());
  // A wrong recovery key is refused.
  Owner stranger = Owner::Create();
  const std::string wrong_path = dirs.path() + "/wrong.key.pem";
  ASSERT_TRUE(WriteFileAtomic(wrong_path, AsBytes(stranger.recovery_key_pem), 0600).ok());
  auto wrong = tee::testing::RunProcess({"/usr/bin/env", "S3ML_SIM_QE_SOCKET=" + second.qe_socket(),
                                         second.ecs_binary(), "recover", "--state", moved, "--recovery-key",
                                         wrong_path, "--platform", "sim"});
  EXPECT_NE(wrong.exit_code, 0) << wrong.out;

  auto recovered = tee::testing::RunProcess({"/usr/bin/env", "S3ML_SIM_QE_SOCKET=" + second.qe_socket(),
                                             second.ecs_binary(), "recover", "--state", moved, "--recovery-key",
                                             key_path, "--platform", "sim"});
  ASSERT_EQ(recovered.exit_code, 0) << recovered.err;
  auto ecs = second.StartEcs(moved);
  ASSERT_NE(ecs, nullptr);
  auto client = second.Client(ecs->port());
  EXPECT_EQ(RootOf(*client), root);
  auto owner_client = second.Client(ecs->port(), owner.certificate_pem, owner.key_pem);
  auto audit = owner_client->Get("/v1/audit");
  ASSERT_EQ(audit->status, 200);
  EXPECT_NE(audit->body.find("\"recovered\""), std::string::npos);
}

}  // namespace
}  // namespace s3ml::ecs
