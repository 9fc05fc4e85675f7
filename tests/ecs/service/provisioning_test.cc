// The provisioning decision (identity matching, refusal reasons) and the response, and the
// certificate authority behind it: no processes, synthetic verified quotes.
#include "ecs/provisioning.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "crypto/certificate_chain.h"
#include "crypto/random.h"
#include "ecs/certificate_authority.h"
#include "ecs/client_attestation.h"
#include "tests/ecs/service/unit_fixtures.h"

namespace s3ml::ecs {
namespace {

using nlohmann::json;
using testing::BaseManifest;
using testing::Filled;
using testing::Quote;

constexpr int64_t kNow = 1767225600;

Manifest Parse(const json& j) {
  auto m = ParseManifest(j.dump());
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

std::string Refusal(const Manifest& m, const attest::VerifiedQuote& q) {
  auto matched = MatchIdentity(m, q);
  EXPECT_FALSE(matched.ok());
  if (matched.ok()) return "";
  EXPECT_EQ(matched.status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(matched.status().message().starts_with("provisioning refused: ")) << matched.status().message();
  return matched.status().message();
}

class ProvisioningTest : public ::testing::Test {
 protected:
  json manifest_json_ = BaseManifest(testing::P384PublicPem());
};

TEST_F(ProvisioningTest, MatchesTheFirstAcceptingIdentity) {
  json j = manifest_json_;
  json second = j["identities"][0];
  second["name"] = "by-mrenclave";
  second.erase("signers");
  second["mrenclave"] = {HexEncode(Filled(0x11))};
  second["models"] = {"resnet"};
  j["identities"].push_back(second);
  Manifest m = Parse(j);
  auto by_signer = MatchIdentity(m, Quote(0x11, 0x22, 1, 2));
  ASSERT_TRUE(by_signer.ok());
  EXPECT_EQ((*by_signer)->name, "model-server");
  auto by_mrenclave = MatchIdentity(m, Quote(0x11, 0x99, 1, 0));
  ASSERT_TRUE(by_mrenclave.ok()) << by_mrenclave.status().ToString();
  EXPECT_EQ((*by_mrenclave)->name, "by-mrenclave");
}

TEST_F(ProvisioningTest, EveryRuleIsNamedInTheRefusal) {
  Manifest m = Parse(manifest_json_);
  // Wrong MRSIGNER.
  EXPECT_NE(Refusal(m, Quote(0x11, 0x33, 1, 2)).find("policy rule identity"), std::string::npos);
  // Wrong ISVPRODID.
  EXPECT_NE(Refusal(m, Quote(0x11, 0x22, 2, 2)).find("ISVPRODID 2"), std::string::npos);
  // ISVSVN below the minimum.
  EXPECT_NE(Refusal(m, Quote(0x11, 0x22, 1, 1)).find("ISVSVN 1 is below the minimum 2"), std::string::npos);
  // DEBUG.
  auto debug = Quote(0x11, 0x22, 1, 2);
  debug.identity.debug = true;
  EXPECT_NE(Refusal(m, debug).find("allow_debug"), std::string::npos);
  // TCB status.
  auto out_of_date = Quote(0x11, 0x22, 1, 2);
  out_of_date.tcb_status = attest::TcbStatus::kOutOfDate;
  EXPECT_NE(Refusal(m, out_of_date).find("TCB status OutOfDate"), std::string::npos);
  // Simulated platform when the identity does not allow it.
  json strict = manifest_json_;
  strict["identities"][0]["allow_simulated"] = false;
  EXPECT_NE(Refusal(Parse(strict), Quote(0x11, 0x22, 1, 2)).find("allow_simulated"), std::string::npos);
  // Advisories.
  json advisories = manifest_json_;
  advisories["identities"][0]["accepted_advisories"] = {"INTEL-SA-00001"};
  auto with_advisory = Quote(0x11, 0x22, 1, 2);
  with_advisory.advisory_ids = {"INTEL-SA-00615"};
  EXPECT_NE(Refusal(Parse(advisories), with_advisory).find("INTEL-SA-00615"), std::string::npos);
  // MRENCLAVE not listed.
  json by_mrenclave = manifest_json_;
  by_mrenclave["identities"][0].erase("signers");
  by_mrenclave["identities"][0]["mrenclave"] = {HexEncode(Filled(0x44))};
  EXPECT_NE(Refusal(Parse(by_mrenclave), Quote(0x11, 0x22, 1, 2)).find("MRENCLAVE"), std::string::npos);
}

TEST_F(ProvisioningTest, TheRefusalNamesTheClosestIdentity) {
  json j = manifest_json_;
  json unrelated = j["identities"][0];
  unrelated["name"] = "unrelated";
  unrelated["signers"][0]["mrsigner"] = HexEncode(Filled(0x77));
  // The caller's signer identity comes second; its failure (low ISVSVN) is the useful reason.
  j["identities"] = {unrelated, j["identities"][0]};
  std::string reason = Refusal(Parse(j), Quote(0x11, 0x22, 1, 1));
  EXPECT_NE(reason.find("ISVSVN 1 is below"), std::string::npos) << reason;
  EXPECT_NE(reason.find("model-server"), std::string::npos) << reason;
}

TEST_F(ProvisioningTest, ProvisionBodyIsEmptyOrAnEmptyObject) {
  EXPECT_TRUE(CheckProvisionRequestBody("").ok());
  EXPECT_TRUE(CheckProvisionRequestBody("{}").ok());
  EXPECT_TRUE(CheckProvisionRequestBody(" { } \n").ok());
  EXPECT_FALSE(CheckProvisionRequestBody("{\"renew\": true}").ok());
  EXPECT_FALSE(CheckProvisionRequestBody("[]").ok());
  EXPECT_FALSE(CheckProvisionRequestBody("{").ok());
}

class CertificateAuthorityTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(CreateCertificateAuthority(state_, kNow).ok()); }
  EcsState state_;
};

TEST_F(CertificateAuthorityTest, IssuesServiceCertificatesThatChainToTheRootWithTheManifestNames) {
  auto ca = CertificateAuthority::FromState(state_);
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  Manifest m = Parse(BaseManifest(testing::P384PublicPem()));
  auto issued = (*ca)->IssueServiceCertificate(m, kNow);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_EQ(issued->not_after, kNow + 3600);
  EXPECT_EQ(issued->renew_after, kNow + 2400);
  auto chain = crypto::ParsePemCertificateChain(issued->chain_pem);
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  ASSERT_EQ(chain->size(), 2u);
  std::vector<crypto::X509Certificate> intermediates = {(*chain)[1]};
  std::vector<crypto::X509Certificate> roots = {(*ca)->root()};
  EXPECT_TRUE(crypto::VerifyCertificateChain((*chain)[0], intermediates, roots, kNow + 10).ok());
  EXPECT_FALSE(crypto::VerifyCertificateChain((*chain)[0], intermediates, roots, kNow + 3601).ok());
  // The leaf holds the shared service key.
  auto service_key = crypto::EcKey::FromPrivateKeyPem(std::string(
      reinterpret_cast<const char*>(state_.service_private_key_pem.data()), state_.service_private_key_pem.size()));
  ASSERT_TRUE(service_key.ok());
  EXPECT_EQ((*chain)[0].SubjectPublicKeyInfoDer().value(), service_key->PublicKeyDer().value());
  EXPECT_EQ(service_key->curve(), crypto::EcCurve::kP256);
  EXPECT_EQ((*ca)->root().PublicKey().value().curve(), crypto::EcCurve::kP384);
  // Root valid ~10 years.
  EXPECT_GE((*ca)->root().NotAfter().value(), kNow + kRootCaLifetime);
}

TEST_F(CertificateAuthorityTest, RefusesASecondCreationAndRenewsTheIntermediateOnlyWhenDue) {
  EXPECT_FALSE(CreateCertificateAuthority(state_, kNow).ok());
  const std::string root = state_.root_ca_certificate_pem;
  const std::string intermediate = state_.intermediate_certificate_pem;
  auto early = RenewIntermediateIfDue(state_, kNow + kIntermediateLifetime / 2);
  ASSERT_TRUE(early.ok());
  EXPECT_FALSE(*early);
  EXPECT_EQ(state_.intermediate_certificate_pem, intermediate);
  auto due = RenewIntermediateIfDue(state_, kNow + kIntermediateLifetime * 3 / 4);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  EXPECT_TRUE(*due);
  EXPECT_NE(state_.intermediate_certificate_pem, intermediate);
  EXPECT_EQ(state_.root_ca_certificate_pem, root);  // the root stays
  auto ca = CertificateAuthority::FromState(state_);
  ASSERT_TRUE(ca.ok());
  auto issued = (*ca)->IssueServiceCertificate(Parse(BaseManifest(testing::P384PublicPem())),
                                               kNow + kIntermediateLifetime * 3 / 4);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
}

TEST_F(CertificateAuthorityTest, ResponseCarriesOnlyTheIdentitysModelKeys) {
  auto ca = CertificateAuthority::FromState(state_);
  json j = BaseManifest(testing::P384PublicPem());
  json other = j["identities"][0];
  other["name"] = "other";
  other["models"] = {"secret-model"};
  j["identities"].push_back(other);
  Manifest m = Parse(j);
  std::map<std::string, crypto::SecretBytes> keys;
  keys.emplace("mobilenet_v2", crypto::RandomSecret(32).value());
  keys.emplace("secret-model", crypto::RandomSecret(32).value());
  // "resnet" has no key yet: left out.
  auto issued = (*ca)->IssueServiceCertificate(m, kNow);
  json body = BuildProvisioningResponse(m.identities[0], m, *issued, (*ca)->root_pem(), state_.service_private_key_pem,
                                        keys);
  EXPECT_EQ(body["identity"], "model-server");
  ASSERT_EQ(body["models"].size(), 1u);
  EXPECT_EQ(Base64Decode(body["models"]["mobilenet_v2"].get<std::string>()).value(),
            std::vector<uint8_t>(keys.at("mobilenet_v2").data(), keys.at("mobilenet_v2").data() + 32));
  EXPECT_EQ(body["manifest_sha256"], HexEncode(m.sha256));
  EXPECT_EQ(body["not_after"], kNow + 3600);
  EXPECT_EQ(body["root_ca_pem"], (*ca)->root_pem());
}

TEST(ClientAttestationTest, NonceParsingAndReportDataBinding) {
  EXPECT_EQ(ParseNonceQuery("nonce=" + std::string(32, 'a'))->size(), 16u);
  EXPECT_EQ(ParseNonceQuery("nonce=" + std::string(128, '0'))->size(), 64u);
  EXPECT_FALSE(ParseNonceQuery("nonce=" + std::string(30, 'a')).ok());   // 15 bytes
  EXPECT_FALSE(ParseNonceQuery("nonce=" + std::string(130, 'a')).ok());  // 65 bytes
  EXPECT_FALSE(ParseNonceQuery("nonce=" + std::string(32, 'g')).ok());
  EXPECT_FALSE(ParseNonceQuery("").ok());
  EXPECT_FALSE(ParseNonceQuery("nonce=" + std::string(32, 'a') + "&x=1").ok());

  const std::vector<uint8_t> root = {1, 2, 3};
  const crypto::Sha256Digest manifest_hash = Filled(9);
  const std::vector<uint8_t> nonce(16, 7);
  auto rd = AttestationReportData(root, manifest_hash, nonce);
  std::vector<uint8_t> concatenated = root;
  concatenated.insert(concatenated.end(), manifest_hash.begin(), manifest_hash.end());
  concatenated.insert(concatenated.end(), nonce.begin(), nonce.end());
  const auto expected = crypto::Sha256(concatenated);
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), rd.begin()));
  EXPECT_TRUE(std::all_of(rd.begin() + 32, rd.end(), [](uint8_t b) { return b == 0; }));
  auto other_nonce = AttestationReportData(root, manifest_hash, std::vector<uint8_t>(16, 8));
  EXPECT_NE(rd, other_nonce);
}

}  // namespace
}  // namespace s3ml::ecs
