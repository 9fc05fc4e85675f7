#include "client/manifest_builder.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/ec_key.h"

namespace s3ml::client {
namespace {

std::string P384Pem() { return crypto::EcKey::Generate(crypto::EcCurve::kP384).value().PublicKeyPem().value(); }

ManifestSpec Spec() {
  ManifestSpec spec;
  spec.version = 3;
  spec.owner_public_key_pem = P384Pem();
  spec.recovery_public_key_pem = P384Pem();
  spec.service_names = {"localhost", "127.0.0.1"};
  ManifestIdentity identity;
  identity.name = "model-server";
  identity.policy.allowed_signers.push_back({std::array<uint8_t, 32>{0xab}, 1, 2});
  identity.policy.allow_simulated = true;
  identity.policy.accepted_advisories = std::vector<std::string>{"INTEL-SA-00615"};
  identity.models = {"mobilenet_v2", "mobilenet_v1_0.25"};
  spec.identities.push_back(identity);
  return spec;
}

TEST(ManifestBuilderTest, BuildsTheProtocolsShapeWithPoliciesTheAttestLayerParses) {
  auto built = BuildManifestJson(Spec());
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  nlohmann::json j = nlohmann::json::parse(*built);
  EXPECT_EQ(j["version"], 3);
  EXPECT_EQ(j["service_names"].size(), 2u);
  EXPECT_EQ(j["certificate_lifetime_seconds"], 86400);
  ASSERT_EQ(j["identities"].size(), 1u);
  nlohmann::json identity = j["identities"][0];
  EXPECT_EQ(identity["name"], "model-server");
  EXPECT_EQ(identity["models"][1], "mobilenet_v1_0.25");
  identity.erase("name");
  identity.erase("models");
  // What is left is an attestation policy that attest/ accepts (it refuses unknown keys).
  auto policy = attest::ParseAttestationPolicyJson(identity.dump());
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  ASSERT_EQ(policy->allowed_signers.size(), 1u);
  EXPECT_EQ(policy->allowed_signers[0].isv_prod_id, 1);
  EXPECT_EQ(policy->allowed_signers[0].min_isv_svn, 2);
  EXPECT_TRUE(policy->allow_simulated);
  EXPECT_FALSE(policy->allow_debug);
  ASSERT_TRUE(policy->accepted_advisories.has_value());
  EXPECT_EQ(ManifestVersion(*built).value(), 3);
}

TEST(ManifestBuilderTest, RefusesWhatTheProtocolForbids) {
  std::vector<ManifestSpec> bad(10, Spec());
  bad[0].version = 0;
  bad[1].owner_public_key_pem = crypto::EcKey::Generate(crypto::EcCurve::kP256).value().PublicKeyPem().value();
  bad[2].recovery_public_key_pem = "junk";
  bad[3].service_names.clear();
  bad[4].certificate_lifetime_seconds = 299;
  bad[5].certificate_lifetime_seconds = 31LL * 86400 + 1;
  bad[6].identities.push_back(bad[6].identities[0]);  // duplicate name
  bad[7].identities[0].models.push_back("Bad/Name");
  bad[8].identities[0].policy.allowed_signers.clear();  // accepts nothing
  bad[9].identities[0].models.push_back("mobilenet_v2");  // listed twice
  for (size_t i = 0; i < bad.size(); ++i) {
    auto r = BuildManifestJson(bad[i]);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << i;
  }
}

TEST(ManifestBuilderTest, ManifestVersionNeedsAnIntegerVersion) {
  EXPECT_EQ(ManifestVersion(R"({"version": 7})").value(), 7);
  EXPECT_FALSE(ManifestVersion(R"({"version": "7"})").ok());
  EXPECT_FALSE(ManifestVersion("[]").ok());
  EXPECT_FALSE(ManifestVersion("{").ok());
}

}  // namespace
}  // namespace s3ml::client
