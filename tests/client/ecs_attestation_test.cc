// ECS attestation (client/ecs_attestation.h) and owner calls (client/ecs_client.h) against a fake
// ECS on loopback (tests/client/fake_ecs.h) with real simulated quotes: the good case, and every
// way the answer can be wrong (replay, another root, manifest hash, other enclave, identity).
#include <gtest/gtest.h>

#include "core/base64.h"
#include "client/ecs_attestation.h"
#include "client/ecs_client.h"
#include "client/manifest_builder.h"
#include "client/owner_keys.h"
#include "core/hex.h"
#include "crypto/digest.h"
#include "tests/client/fake_ecs.h"

namespace s3ml::client {
namespace {

using testing::FakeEcs;
using testing::SimHost;
using testing::TestEnclave;
using tee::testing::kVerifyTime;

class EcsAttestationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    host_ = new SimHost();
    ecs_enclave_ = new TestEnclave(host_->AddEnclave("ecs", 7, 3));
    // Same signer and product, another binary: passes an MRSIGNER policy, other MRENCLAVE.
    sibling_enclave_ = new TestEnclave(host_->AddEnclave("ecs_sibling", 7, 3, &ecs_enclave_->signer));
  }
  static void TearDownTestSuite() {
    delete sibling_enclave_;
    delete ecs_enclave_;
    delete host_;
  }

  void SetUp() override {
    platform_ = host_->PlatformOf(*ecs_enclave_);
    sibling_platform_ = host_->PlatformOf(*sibling_enclave_);
    ecs_ = std::make_unique<FakeEcs>(platform_.get(), sibling_platform_.get(), &clock_);
    ecs_->Start();
  }
  void TearDown() override { ecs_->Stop(); }

  EcsAttestationOptions Options() const {
    EcsAttestationOptions o;
    o.ecs_url = ecs_->url();
    o.expected.mrenclave = ecs_enclave_->mrenclave;
    o.collateral_source = attest::FixedCollateralSource(host_->collateral());
    o.allow_simulated = true;
    o.sim_root_pem = host_->root_pem();
    o.clock = &clock_;
    o.connect_timeout = std::chrono::seconds(5);
    o.request_timeout = std::chrono::seconds(10);
    return o;
  }

  OwnerKeys NewOwner() {
    dirs_.push_back(std::make_unique<tee::testing::TempDir>());
    return CreateOwnerKeys(dirs_.back()->Sub("owner"), clock_).value();
  }

  std::string Manifest(const OwnerKeys& owner, int64_t version) {
    ManifestSpec spec;
    spec.version = version;
    spec.owner_public_key_pem = owner.owner_public_key_pem;
    spec.recovery_public_key_pem = owner.recovery_public_key_pem;
    spec.service_names = {"localhost", "127.0.0.1"};
    ManifestIdentity identity;
    identity.name = "model-server";
    identity.policy.allowed_mrenclaves.push_back(ecs_enclave_->mrenclave);
    identity.models = {"mobilenet_v2"};
    spec.identities.push_back(identity);
    return BuildManifestJson(spec).value();
  }

  static SimHost* host_;
  static TestEnclave* ecs_enclave_;
  static TestEnclave* sibling_enclave_;
  FixedClock clock_{kVerifyTime + 60};
  std::unique_ptr<testing::EnclaveProcessPlatform> platform_;
  std::unique_ptr<testing::EnclaveProcessPlatform> sibling_platform_;
  std::unique_ptr<FakeEcs> ecs_;
  std::vector<std::unique_ptr<tee::testing::TempDir>> dirs_;
};
SimHost* EcsAttestationTest::host_ = nullptr;
TestEnclave* EcsAttestationTest::ecs_enclave_ = nullptr;
TestEnclave* EcsAttestationTest::sibling_enclave_ = nullptr;

TEST_F(EcsAttestationTest, AttestsAFreshEcsAndReturnsItsRootWithoutManifest) {
  auto attested = AttestEcs(Options());
  ASSERT_TRUE(attested.ok()) << attested.status().ToString();
  EXPECT_EQ(attested->root_ca_pem, ecs_->root_pem());
  EXPECT_FALSE(attested->manifest.has_value());
  EXPECT_EQ(attested->manifest_sha256, (std::array<uint8_t, 32>{}));
  EXPECT_EQ(attested->quote.identity.mrenclave, ecs_enclave_->mrenclave);
  EXPECT_EQ(attested->quote.identity.mrsigner, ecs_enclave_->mrsigner);
  EXPECT_EQ(attested->tls_identity.enclave.mrenclave, ecs_enclave_->mrenclave);
  EXPECT_TRUE(attested->quote.simulated_root);
  EXPECT_EQ(attested->quote.tcb_status, attest::TcbStatus::kUpToDate);
  EXPECT_EQ(attested->endpoint.port, ecs_->port());
}

TEST_F(EcsAttestationTest, AttestsByMrsignerAndReturnsTheExactManifest) {
  OwnerKeys owner = NewOwner();
  std::string manifest = Manifest(owner, 1);
  {
    auto client = EcsClient::Connect(Options(), nullptr);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    auto set = (*client)->SetManifest(manifest);
    ASSERT_TRUE(set.ok()) << set.status().ToString();
  }
  EcsAttestationOptions o = Options();
  o.expected.mrenclave.reset();
  o.expected.mrsigner = ecs_enclave_->mrsigner;  // any product of this signer
  auto attested = AttestEcs(o);
  ASSERT_TRUE(attested.ok()) << attested.status().ToString();
  ASSERT_TRUE(attested->manifest.has_value());
  EXPECT_EQ(*attested->manifest, manifest);
  const auto hash = crypto::Sha256({reinterpret_cast<const uint8_t*>(manifest.data()), manifest.size()});
  EXPECT_EQ(attested->manifest_sha256, hash);
}

TEST_F(EcsAttestationTest, ReplayedAnswerForAnotherNonceIsRefused) {
  ecs_->set_misbehaviour(FakeEcs::Misbehaviour::kReplayAnswer);
  auto first = AttestEcs(Options());
  ASSERT_TRUE(first.ok()) << first.status().ToString();  // made for this nonce
  auto second = AttestEcs(Options());                     // the same answer again
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(second.status().message().find("report_data does not bind"), std::string::npos) << second.status().ToString();
}

TEST_F(EcsAttestationTest, AnswerWithAnotherRootIsRefused) {
  ecs_->set_misbehaviour(FakeEcs::Misbehaviour::kOtherRoot);
  auto attested = AttestEcs(Options());
  ASSERT_FALSE(attested.ok());
  EXPECT_EQ(attested.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(attested.status().message().find("report_data does not bind"), std::string::npos);
}

TEST_F(EcsAttestationTest, NonZeroSecondHalfOfReportDataIsRefused) {
  ecs_->set_misbehaviour(FakeEcs::Misbehaviour::kNonZeroBindingTail);
  auto attested = AttestEcs(Options());
  ASSERT_FALSE(attested.ok());
  EXPECT_EQ(attested.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(EcsAttestationTest, ManifestThatDoesNotMatchItsHashIsRefused) {
  OwnerKeys owner = NewOwner();
  auto client = EcsClient::Connect(Options(), nullptr);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  ASSERT_TRUE((*client)->SetManifest(Manifest(owner, 1)).ok());
  ecs_->set_misbehaviour(FakeEcs::Misbehaviour::kManifestMismatch);
  auto attested = AttestEcs(Options());
  ASSERT_FALSE(attested.ok());
  EXPECT_EQ(attested.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(attested.status().message().find("SHA-256 of the manifest"), std::string::npos) << attested.status().ToString();
}

TEST_F(EcsAttestationTest, QuoteFromAnotherEnclaveThanTheTlsCertificateIsRefused) {
  ecs_->set_misbehaviour(FakeEcs::Misbehaviour::kQuoteFromOther);
  EcsAttestationOptions o = Options();
  o.expected.mrenclave.reset();
  o.expected.mrsigner = ecs_enclave_->mrsigner;  // both enclaves pass the identity policy
  auto attested = AttestEcs(o);
  ASSERT_FALSE(attested.ok());
  EXPECT_EQ(attested.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(attested.status().message().find("another enclave"), std::string::npos) << attested.status().ToString();
}

TEST_F(EcsAttestationTest, WrongExpectedMrenclaveIsRefusedInTheHandshake) {
  EcsAttestationOptions o = Options();
  o.expected.mrenclave = sibling_enclave_->mrenclave;
  auto attested = AttestEcs(o);
  ASSERT_FALSE(attested.ok());
  EXPECT_EQ(attested.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(attested.status().message().find("ECS TLS certificate"), std::string::npos) << attested.status().ToString();
  EXPECT_EQ(ecs_->attestation_requests(), 0);  // nothing was sent to an unverified server
}

TEST_F(EcsAttestationTest, WrongExpectedSignerProductOrSvnIsRefused) {
  EcsAttestationOptions other_signer = Options();
  other_signer.expected.mrenclave.reset();
  other_signer.expected.mrsigner = std::array<uint8_t, 32>{1, 2, 3};
  EcsAttestationOptions other_product = Options();
  other_product.expected.mrenclave.reset();
  other_product.expected.mrsigner = ecs_enclave_->mrsigner;
  other_product.expected.isv_prod_id = 8;
  EcsAttestationOptions newer_svn = other_product;
  newer_svn.expected.isv_prod_id = 7;
  newer_svn.expected.min_isv_svn = 4;
  for (const auto* o : {&other_signer, &other_product, &newer_svn}) {
    auto attested = AttestEcs(*o);
    ASSERT_FALSE(attested.ok());
    EXPECT_EQ(attested.status().code(), StatusCode::kPermissionDenied) << attested.status().ToString();
  }
  EcsAttestationOptions exact = newer_svn;
  exact.expected.min_isv_svn = 3;
  EXPECT_TRUE(AttestEcs(exact).ok());
}

TEST_F(EcsAttestationTest, SimulatedPlatformIsRefusedUnlessAllowed) {
  EcsAttestationOptions o = Options();
  o.allow_simulated = false;
  o.sim_root_pem.clear();
  auto attested = AttestEcs(o);
  ASSERT_FALSE(attested.ok());
  EXPECT_EQ(attested.status().code(), StatusCode::kPermissionDenied) << attested.status().ToString();
}

TEST_F(EcsAttestationTest, UnreachableEcsIsUnavailable) {
  EcsAttestationOptions o = Options();
  ecs_->Stop();
  auto attested = AttestEcs(o);
  ASSERT_FALSE(attested.ok());
  EXPECT_EQ(attested.status().code(), StatusCode::kUnavailable) << attested.status().ToString();
}

TEST_F(EcsAttestationTest, BadOptionsAreInvalidArgument) {
  EcsAttestationOptions both = Options();
  both.expected.mrsigner = ecs_enclave_->mrsigner;
  EcsAttestationOptions none = Options();
  none.expected.mrenclave.reset();
  EcsAttestationOptions no_clock = Options();
  no_clock.clock = nullptr;
  EcsAttestationOptions sim_root_only = Options();
  sim_root_only.allow_simulated = false;
  EcsAttestationOptions bad_url = Options();
  bad_url.ecs_url = "http://127.0.0.1:1";
  for (const auto* o : {&both, &none, &no_clock, &sim_root_only, &bad_url}) {
    EXPECT_EQ(AttestEcs(*o).status().code(), StatusCode::kInvalidArgument);
  }
}

TEST_F(EcsAttestationTest, MalformedAnswersAreRefusedWithTheField) {
  auto trust = MakeEcsTrust(Options());
  ASSERT_TRUE(trust.ok());
  std::array<uint8_t, 32> nonce{};
  for (const char* answer : {"", "[]", "{}", R"({"quote": 5})", R"({"quote": "not base64!"})", R"({"quote": "AAAA"})"}) {
    auto r = VerifyEcsAttestationAnswer(*trust, answer, nonce, nullptr);
    ASSERT_FALSE(r.ok()) << answer;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << answer << ": " << r.status().ToString();
  }
}

// --- owner calls ---

TEST_F(EcsAttestationTest, OwnerSetsUpdatesAndReadsTheManifest) {
  OwnerKeys owner = NewOwner();
  auto client = EcsClient::Connect(Options(), &owner);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_EQ((*client)->GetManifest().status().code(), StatusCode::kNotFound);
  const std::string v1 = Manifest(owner, 1);
  auto set = (*client)->SetManifest(v1);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->version, 1);

  // A second unsigned manifest is refused now that one exists.
  EXPECT_EQ((*client)->SetManifest(Manifest(owner, 2)).status().code(), StatusCode::kPermissionDenied);
  const std::string v2 = Manifest(owner, 2);
  auto update = (*client)->UpdateManifest(v2);
  ASSERT_TRUE(update.ok()) << update.status().ToString();
  EXPECT_EQ(update->version, 2);
  EXPECT_EQ(ecs_->manifest(), v2);
  // Not higher: 409.
  EXPECT_EQ((*client)->UpdateManifest(Manifest(owner, 2)).status().code(), StatusCode::kAlreadyExists);

  auto got = (*client)->GetManifest();
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->manifest, v2);
  EXPECT_EQ(got->version, 2);
}

TEST_F(EcsAttestationTest, UpdateSignedByAnotherKeyIsRefused) {
  OwnerKeys owner = NewOwner();
  OwnerKeys intruder = NewOwner();
  {
    auto client = EcsClient::Connect(Options(), &owner);
    ASSERT_TRUE(client.ok());
    ASSERT_TRUE((*client)->SetManifest(Manifest(owner, 1)).ok());
  }
  auto client = EcsClient::Connect(Options(), &intruder);
  ASSERT_TRUE(client.ok());
  auto update = (*client)->UpdateManifest(Manifest(intruder, 2));
  EXPECT_EQ(update.status().code(), StatusCode::kPermissionDenied) << update.status().ToString();
  EXPECT_NE(update.status().message().find("bad owner signature"), std::string::npos);
}

TEST_F(EcsAttestationTest, OwnerPutsAndGeneratesModelKeys) {
  OwnerKeys owner = NewOwner();
  auto client = EcsClient::Connect(Options(), &owner);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  ASSERT_TRUE((*client)->SetManifest(Manifest(owner, 1)).ok());
  std::vector<uint8_t> key(32, 0x5a);
  Status put = (*client)->PutModelKey("mobilenet_v2", key);
  ASSERT_TRUE(put.ok()) << put.ToString();
  EXPECT_EQ(ecs_->model_key("mobilenet_v2"), key);
  // Not in the manifest: 404; bad names and sizes never leave the client.
  EXPECT_EQ((*client)->PutModelKey("other", key).code(), StatusCode::kNotFound);
  EXPECT_EQ((*client)->PutModelKey("../x", key).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*client)->PutModelKey("mobilenet_v2", std::vector<uint8_t>(16)).code(), StatusCode::kInvalidArgument);
  // Generation: 409 when a key exists.
  EXPECT_EQ((*client)->GenerateModelKey("mobilenet_v2").status().code(), StatusCode::kAlreadyExists);
}

TEST_F(EcsAttestationTest, ModelKeyCallsNeedTheOwnerCertificate) {
  OwnerKeys owner = NewOwner();
  OwnerKeys intruder = NewOwner();
  {
    auto client = EcsClient::Connect(Options(), &owner);
    ASSERT_TRUE(client.ok());
    ASSERT_TRUE((*client)->SetManifest(Manifest(owner, 1)).ok());
  }
  auto anonymous = EcsClient::Connect(Options(), nullptr);
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ((*anonymous)->PutModelKey("mobilenet_v2", std::vector<uint8_t>(32)).code(), StatusCode::kFailedPrecondition);
  auto other = EcsClient::Connect(Options(), &intruder);
  ASSERT_TRUE(other.ok());
  Status refused = (*other)->PutModelKey("mobilenet_v2", std::vector<uint8_t>(32));
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied) << refused.ToString();
  EXPECT_FALSE(ecs_->model_key("mobilenet_v2").has_value());
}

TEST_F(EcsAttestationTest, AuditLogIsReadAndItsChainVerified) {
  OwnerKeys owner = NewOwner();
  auto client = EcsClient::Connect(Options(), &owner);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->SetManifest(Manifest(owner, 1)).ok());
  auto generated = (*client)->GenerateModelKey("mobilenet_v2");
  ASSERT_TRUE(generated.ok()) << generated.status().ToString();
  EXPECT_EQ(generated->size(), 32u);
  EXPECT_TRUE(generated->Equals(*ecs_->model_key("mobilenet_v2")));
  ASSERT_TRUE((*client)->UpdateManifest(Manifest(owner, 2)).ok());

  auto audit = (*client)->ReadAudit();
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  ASSERT_EQ(audit->size(), 3u);
  EXPECT_EQ((*audit)[0].event, "manifest_set");
  EXPECT_EQ((*audit)[1].event, "model_key_generated");
  EXPECT_EQ((*audit)[2].event, "manifest_update");

  ecs_->set_misbehaviour(FakeEcs::Misbehaviour::kDropAuditEntry);
  auto dropped = (*client)->ReadAudit();
  ASSERT_FALSE(dropped.ok());
  EXPECT_EQ(dropped.status().code(), StatusCode::kDataLoss) << dropped.status().ToString();
}

}  // namespace
}  // namespace s3ml::client
