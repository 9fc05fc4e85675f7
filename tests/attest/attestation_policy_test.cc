#include "attest/attestation_policy.h"

#include <gtest/gtest.h>

#include "core/hex.h"
#include "sgx_samples.h"

namespace s3ml::attest {
namespace {

VerifiedQuote VerifiedSample(const std::string& name) {
  auto s = testing::LoadSample(name);
  return testing::Verify(s.quote, s.files, s.inside).value();
}

void ExpectRefused(const Status& s, const std::string& rule) {
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("policy rule " + rule), std::string::npos) << s.ToString();
}

TEST(AttestationPolicyTest, DebugSampleRefusedByProductionPolicy) {
  VerifiedQuote v = VerifiedSample("occlum-debug");
  auto production = ParseAttestationPolicyJson(R"({
      "mrenclave": ["8f173e4613ff05c52aaf04162d234edae8c9977eae47eb2299ae16a553011c68"],
      "accepted_tcb_statuses": ["UpToDate", "SWHardeningNeeded", "OutOfDate"]})");
  ASSERT_TRUE(production.ok()) << production.status().ToString();
  ExpectRefused(production->Check(v), "allow_debug");
  production->allow_debug = true;
  EXPECT_TRUE(production->Check(v).ok());
}

TEST(AttestationPolicyTest, DefaultStatusesRefuseOutdatedPlatforms) {
  VerifiedQuote v = VerifiedSample("dcap-qvl");
  AttestationPolicy p;
  p.allowed_mrenclaves.push_back(v.identity.mrenclave);
  ExpectRefused(p.Check(v), "accepted_tcb_statuses");
  p.accepted_tcb_statuses.push_back(TcbStatus::kConfigurationAndSwHardeningNeeded);
  EXPECT_TRUE(p.Check(v).ok());
  p.accepted_advisories = std::vector<std::string>{"INTEL-SA-00615"};
  ExpectRefused(p.Check(v), "accepted_advisories");
  p.accepted_advisories->push_back("INTEL-SA-00289");
  EXPECT_TRUE(p.Check(v).ok());
}

TEST(AttestationPolicyTest, IdentityRules) {
  VerifiedQuote v = VerifiedSample("automata");
  AttestationPolicy p;
  p.accepted_tcb_statuses = {TcbStatus::kOutOfDate};
  ExpectRefused(p.Check(v), "identity");  // empty policy accepts nothing
  p.allowed_mrenclaves.push_back({});     // some other enclave
  ExpectRefused(p.Check(v), "identity");
  SignerRule rule{.mrsigner = v.identity.mrsigner, .isv_prod_id = 0, .min_isv_svn = 1};
  p.allowed_signers.push_back(rule);
  Status low = p.Check(v);
  ExpectRefused(low, "identity");
  EXPECT_NE(low.message().find("below the minimum 1"), std::string::npos) << low.ToString();
  p.allowed_signers[0].min_isv_svn = 0;
  EXPECT_TRUE(p.Check(v).ok());
  p.allowed_signers[0].isv_prod_id = 7;
  ExpectRefused(p.Check(v), "identity");
  p.allowed_mrenclaves.push_back(v.identity.mrenclave);
  EXPECT_TRUE(p.Check(v).ok());
}

TEST(AttestationPolicyTest, SimulatedRootRefusedUnlessAllowed) {
  VerifiedQuote v = VerifiedSample("automata");
  v.simulated_root = true;
  v.trust_anchor = "s3ml simulated root";
  AttestationPolicy p;
  p.allowed_mrenclaves.push_back(v.identity.mrenclave);
  p.accepted_tcb_statuses = {TcbStatus::kOutOfDate};
  ExpectRefused(p.Check(v), "allow_simulated");
  p.allow_simulated = true;
  EXPECT_TRUE(p.Check(v).ok());
}

TEST(AttestationPolicyTest, JsonParsing) {
  auto p = ParseAttestationPolicyJson(R"({
      "signers": [{"mrsigner": "1bda23eb3a807dfe735ddcebbfa2eac05e04a00df2804296612f770b594180ba", "isvprodid": 0,
                   "min_isvsvn": 2}],
      "allow_debug": false, "allow_simulated": true,
      "accepted_tcb_statuses": ["UpToDate"], "accepted_advisories": []})");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->allowed_signers.size(), 1u);
  EXPECT_EQ(p->allowed_signers[0].min_isv_svn, 2);
  EXPECT_TRUE(p->allow_simulated);
  EXPECT_EQ(p->accepted_tcb_statuses, std::vector<TcbStatus>{TcbStatus::kUpToDate});
  ASSERT_TRUE(p->accepted_advisories.has_value());
  EXPECT_TRUE(p->accepted_advisories->empty());

  auto code = [](const char* json) { return ParseAttestationPolicyJson(json).status().code(); };
  EXPECT_EQ(code("not json"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(R"({"mrenclaves": []})"), StatusCode::kInvalidArgument);  // typo'd key
  EXPECT_EQ(code(R"({"mrenclave": ["abcd"]})"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(R"({"mrenclave": "00"})"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(R"({"signers": [{"mrsigner": "00", "isvprodid": 0}]})"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(R"({"signers": [{"isvprodid": 0}]})"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(R"({"allow_debug": "yes"})"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(R"({"accepted_tcb_statuses": ["Revoked"]})"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code(R"({"accepted_tcb_statuses": ["Fine"]})"), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadAttestationPolicy("/nonexistent/policy.json").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace s3ml::attest
