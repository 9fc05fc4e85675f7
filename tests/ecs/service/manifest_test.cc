// Manifest parsing, validation and the update rule (docs/protocol.md "Manifest").
#include "ecs/manifest.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "core/byte_reader.h"
#include "tests/ecs/service/unit_fixtures.h"

namespace s3ml::ecs {
namespace {

using nlohmann::json;
using testing::BaseManifest;

class ManifestTest : public ::testing::Test {
 protected:
  crypto::EcKey owner_ = crypto::EcKey::Generate(crypto::EcCurve::kP384).value();
  std::string owner_pem_ = owner_.PublicKeyPem().value();

  std::string Sign(const std::string& body, const crypto::EcKey& key) {
    return Base64Encode(key.SignDer(AsBytes(body)).value());
  }
  void ExpectRefused(const json& manifest, const std::string& fragment) {
    auto parsed = ParseManifest(manifest.dump());
    ASSERT_FALSE(parsed.ok()) << manifest.dump();
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(fragment), std::string::npos) << parsed.status().ToString();
  }
};

TEST_F(ManifestTest, ParsesAValidManifestAndHashesTheExactBytes) {
  const std::string bytes = BaseManifest(owner_pem_).dump(2);
  auto m = ParseManifest(bytes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->version, 1);
  EXPECT_EQ(m->bytes, bytes);
  EXPECT_EQ(m->sha256, crypto::Sha256(AsBytes(bytes)));
  EXPECT_EQ(m->dns_names, std::vector<std::string>{"localhost"});
  EXPECT_EQ(m->ip_addresses, std::vector<std::string>{"127.0.0.1"});
  ASSERT_EQ(m->identities.size(), 1u);
  EXPECT_EQ(m->identities[0].name, "model-server");
  EXPECT_EQ(m->identities[0].models, (std::vector<std::string>{"mobilenet_v2", "resnet"}));
  EXPECT_TRUE(m->identities[0].policy.allow_simulated);
  EXPECT_EQ(m->identities[0].policy.allowed_signers.at(0).min_isv_svn, 2);
  EXPECT_TRUE(m->MentionsModel("resnet"));
  EXPECT_FALSE(m->MentionsModel("other"));
  EXPECT_EQ(m->owner_spki_der, owner_.PublicKeyDer().value());
  // Another spelling of the same JSON is another manifest (no canonicalisation).
  EXPECT_NE(ParseManifest(BaseManifest(owner_pem_).dump())->sha256, m->sha256);
}

TEST_F(ManifestTest, DefaultsTheCertificateLifetime) {
  json j = BaseManifest(owner_pem_);
  j.erase("certificate_lifetime_seconds");
  auto m = ParseManifest(j.dump());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->certificate_lifetime_seconds, 86400);
}

TEST_F(ManifestTest, RefusesMalformedManifests) {
  EXPECT_FALSE(ParseManifest("not json").ok());
  EXPECT_FALSE(ParseManifest("[1]").ok());
  json j = BaseManifest(owner_pem_);
  j["surprise"] = 1;
  ExpectRefused(j, "unknown member \"surprise\"");
  j = BaseManifest(owner_pem_);
  j["version"] = 0;
  ExpectRefused(j, "version");
  j = BaseManifest(owner_pem_);
  j["version"] = "1";
  ExpectRefused(j, "version");
  j = BaseManifest(owner_pem_);
  j.erase("owner_public_key");
  ExpectRefused(j, "owner_public_key is missing");
  j = BaseManifest(owner_pem_);
  j["owner_public_key"] = crypto::EcKey::Generate(crypto::EcCurve::kP256).value().PublicKeyPem().value();
  ExpectRefused(j, "P-384");
  j = BaseManifest(owner_pem_);
  j["recovery_public_key"] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
  ExpectRefused(j, "recovery_public_key");
  j = BaseManifest(owner_pem_);
  j["service_names"] = json::array();
  ExpectRefused(j, "service_names is empty");
  j = BaseManifest(owner_pem_);
  j["service_names"] = {"bad name!"};
  ExpectRefused(j, "neither a DNS name nor an IP");
  j = BaseManifest(owner_pem_);
  j["certificate_lifetime_seconds"] = 299;
  ExpectRefused(j, "certificate_lifetime_seconds");
  j = BaseManifest(owner_pem_);
  j["certificate_lifetime_seconds"] = 31 * 86400 + 1;
  ExpectRefused(j, "certificate_lifetime_seconds");
  j = BaseManifest(owner_pem_);
  j["identities"] = json::array();
  ExpectRefused(j, "identities");
}

TEST_F(ManifestTest, RefusesBadIdentities) {
  json j = BaseManifest(owner_pem_);
  j["identities"][0]["allow_debg"] = true;  // a typo must not be ignored
  ExpectRefused(j, "unknown key \"allow_debg\"");
  j = BaseManifest(owner_pem_);
  j["identities"][0]["name"] = "Model Server";
  ExpectRefused(j, "[a-z0-9._-]");
  j = BaseManifest(owner_pem_);
  j["identities"][0]["models"] = {"ok", "NOT/ok"};
  ExpectRefused(j, "NOT/ok");
  j = BaseManifest(owner_pem_);
  j["identities"][0]["models"] = {"a", "a"};
  ExpectRefused(j, "twice");
  j = BaseManifest(owner_pem_);
  j["identities"].push_back(j["identities"][0]);
  ExpectRefused(j, "used twice");
  j = BaseManifest(owner_pem_);
  j["identities"][0].erase("signers");
  ExpectRefused(j, "allows no MRENCLAVE and no signer");
  j = BaseManifest(owner_pem_);
  j["identities"][0]["signers"][0]["mrsigner"] = "abcd";
  ExpectRefused(j, "32 bytes");
}

TEST_F(ManifestTest, RefusesDuplicateKeys) {
  std::string text = BaseManifest(owner_pem_).dump();
  text.insert(1, "\"version\": 99, ");
  auto m = ParseManifest(text);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("twice"), std::string::npos) << m.status().ToString();
}

TEST_F(ManifestTest, RefusesOversizedManifests) {
  auto m = ParseManifest(std::string(kMaxManifestSize + 1, ' '));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kResourceExhausted);
}

TEST_F(ManifestTest, FirstManifestNeedsNoSignature) {
  auto m = CheckManifestUpdate(std::nullopt, BaseManifest(owner_pem_).dump(), std::nullopt);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
}

TEST_F(ManifestTest, UpdatesMustBeSignedByTheCurrentOwnerWithAHigherVersion) {
  auto current = ParseManifest(BaseManifest(owner_pem_).dump());
  ASSERT_TRUE(current.ok());
  const std::string v2 = BaseManifest(owner_pem_, 2).dump();

  auto unsigned_update = CheckManifestUpdate(*current, v2, std::nullopt);
  EXPECT_EQ(unsigned_update.status().code(), StatusCode::kPermissionDenied) << unsigned_update.status().ToString();

  auto other = crypto::EcKey::Generate(crypto::EcCurve::kP384).value();
  auto wrong_key = CheckManifestUpdate(*current, v2, Sign(v2, other));
  EXPECT_EQ(wrong_key.status().code(), StatusCode::kPermissionDenied) << wrong_key.status().ToString();

  auto garbage = CheckManifestUpdate(*current, v2, std::string("!!!"));
  EXPECT_EQ(garbage.status().code(), StatusCode::kPermissionDenied);

  // A signature over other bytes does not carry over.
  auto other_body = CheckManifestUpdate(*current, v2 + " ", Sign(v2, owner_));
  EXPECT_EQ(other_body.status().code(), StatusCode::kPermissionDenied);

  const std::string v1_again = BaseManifest(owner_pem_, 1).dump();
  auto same_version = CheckManifestUpdate(*current, v1_again, Sign(v1_again, owner_));
  EXPECT_EQ(same_version.status().code(), StatusCode::kFailedPrecondition) << same_version.status().ToString();

  auto ok = CheckManifestUpdate(*current, v2, Sign(v2, owner_));
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->version, 2);
}

TEST_F(ManifestTest, AnOwnerKeyChangeIsSignedByTheOldKeyThenTheNewOneRules) {
  auto current = ParseManifest(BaseManifest(owner_pem_).dump());
  auto next_owner = crypto::EcKey::Generate(crypto::EcCurve::kP384).value();
  const std::string v2 = BaseManifest(next_owner.PublicKeyPem().value(), 2).dump();
  EXPECT_FALSE(CheckManifestUpdate(*current, v2, Sign(v2, next_owner)).ok());
  auto updated = CheckManifestUpdate(*current, v2, Sign(v2, owner_));
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  const std::string v3 = BaseManifest(owner_pem_, 3).dump();
  EXPECT_FALSE(CheckManifestUpdate(*updated, v3, Sign(v3, owner_)).ok());
  EXPECT_TRUE(CheckManifestUpdate(*updated, v3, Sign(v3, next_owner)).ok());
}

}  // namespace
}  // namespace s3ml::ecs
