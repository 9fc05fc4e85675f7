// The EcsState codec: every field survives a round trip, and the decoder refuses (kDataLoss)
// anything the encoder would not have written, without crashing on any truncation.
#include "ecs/state_codec.h"

#include <gtest/gtest.h>

#include "core/byte_reader.h"
#include "crypto/ec_key.h"
#include "crypto/random.h"

namespace s3ml::ecs {
namespace {

crypto::SecretBytes Secret(std::string_view s) { return crypto::SecretBytes(AsBytes(s)); }
std::string Str(const crypto::SecretBytes& b) { return std::string(b.data(), b.data() + b.size()); }

const std::string kCert = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";

EcsState FullState() {
  EcsState s;
  s.version = 7;
  s.created_at = 1767225600;
  s.root_ca_certificate_pem = kCert;
  s.root_ca_private_key_pem = crypto::EcKey::Generate(crypto::EcCurve::kP384)->PrivateKeyPem().value();
  s.intermediate_certificate_pem = kCert + "\n";
  s.intermediate_private_key_pem = crypto::EcKey::Generate(crypto::EcCurve::kP384)->PrivateKeyPem().value();
  s.service_private_key_pem = crypto::EcKey::Generate(crypto::EcCurve::kP256)->PrivateKeyPem().value();
  s.manifest = R"({"version": 1, "recovery_public_key": "..."})";
  s.model_keys.emplace("mobilenet_v2", crypto::RandomSecret(32).value());
  s.model_keys.emplace("a.b-c_1", crypto::RandomSecret(32).value());
  s.audit.Append(1767225600, "first_boot", nlohmann::json::object());
  s.audit.Append(1767225601, "model_key_set", {{"model", "mobilenet_v2"}});
  s.audit_anchor = AuditAnchor{2, 1234, s.audit.head()};
  return s;
}

void ExpectSame(const EcsState& a, const EcsState& b) {
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.root_ca_certificate_pem, b.root_ca_certificate_pem);
  EXPECT_EQ(Str(a.root_ca_private_key_pem), Str(b.root_ca_private_key_pem));
  EXPECT_EQ(a.intermediate_certificate_pem, b.intermediate_certificate_pem);
  EXPECT_EQ(Str(a.intermediate_private_key_pem), Str(b.intermediate_private_key_pem));
  EXPECT_EQ(Str(a.service_private_key_pem), Str(b.service_private_key_pem));
  EXPECT_EQ(a.manifest, b.manifest);
  ASSERT_EQ(a.model_keys.size(), b.model_keys.size());
  for (const auto& [name, key] : a.model_keys) {
    ASSERT_EQ(b.model_keys.count(name), 1u) << name;
    EXPECT_TRUE(b.model_keys.at(name).Equals(key.span())) << name;
  }
  // The entries live in the audit journal; the state only anchors it.
  EXPECT_EQ(a.audit_anchor, b.audit_anchor);
  EXPECT_TRUE(b.audit.entries().empty());
}

TEST(StateCodecTest, RoundTripKeepsEveryFieldButTheVersion) {
  const EcsState s = FullState();
  auto bytes = EncodeEcsState(s);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  auto back = DecodeEcsState(bytes->span());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSame(s, back.value());
  EXPECT_EQ(back->version, 0u);  // the file header carries it

  EcsState no_manifest = FullState();
  no_manifest.manifest.reset();
  no_manifest.model_keys.clear();
  auto nm = DecodeEcsState(EncodeEcsState(no_manifest)->span());
  ASSERT_TRUE(nm.ok()) << nm.status().ToString();
  ExpectSame(no_manifest, nm.value());
}

TEST(StateCodecTest, IncompleteOrInvalidStatesAreNotEncoded) {
  struct Case {
    const char* what;
    void (*mutate)(EcsState&);
    const char* message;
  };
  const std::vector<Case> cases = {
      {"no root cert", [](EcsState& s) { s.root_ca_certificate_pem.clear(); }, "root_ca_certificate_pem is empty"},
      {"key as cert", [](EcsState& s) { s.intermediate_certificate_pem = Str(s.service_private_key_pem); },
       "intermediate_certificate_pem is not a PEM CERTIFICATE"},
      {"no service key", [](EcsState& s) { s.service_private_key_pem.Clear(); }, "service_private_key_pem is empty"},
      {"cert as key", [](EcsState& s) { s.root_ca_private_key_pem = Secret(kCert); },
       "root_ca_private_key_pem is not a PEM PRIVATE KEY"},
      {"empty manifest", [](EcsState& s) { s.manifest = ""; }, "manifest is 0 bytes"},
      {"huge manifest", [](EcsState& s) { s.manifest = std::string(kMaxManifestSize + 1, ' '); }, "manifest is"},
      {"short model key", [](EcsState& s) { s.model_keys.emplace("m", crypto::SecretBytes(16)); }, "not 32"},
      {"bad model name", [](EcsState& s) { s.model_keys.emplace("Model", crypto::SecretBytes(32)); },
       "model name 'Model'"},
      {"long model name", [](EcsState& s) { s.model_keys.emplace(std::string(65, 'm'), crypto::SecretBytes(32)); },
       "does not match"},
  };
  for (const Case& c : cases) {
    EcsState s = FullState();
    c.mutate(s);
    auto r = EncodeEcsState(s);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.what;
    EXPECT_NE(r.status().message().find(c.message), std::string::npos) << c.what << ": " << r.status().message();
  }
}

TEST(StateCodecTest, EveryTruncationIsDataLoss) {
  auto bytes = EncodeEcsState(FullState()).value();
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = DecodeEcsState(bytes.span().first(n));
    ASSERT_FALSE(r.ok()) << "length " << n;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << "length " << n;
  }
  std::vector<uint8_t> longer(bytes.span().begin(), bytes.span().end());
  longer.push_back(0);
  auto r = DecodeEcsState(longer);
  EXPECT_NE(r.status().message().find("1 trailing bytes"), std::string::npos) << r.status().message();
}

TEST(StateCodecTest, MalformedFieldsAreDataLossNamingThem) {
  const auto good = EncodeEcsState(FullState()).value();
  auto bytes = [&] { return std::vector<uint8_t>(good.span().begin(), good.span().end()); };

  auto version = bytes();
  version[0] = 9;
  EXPECT_NE(DecodeEcsState(version).status().message().find("codec version 9"), std::string::npos);

  // A huge length prefix on the first string field must not allocate or crash.
  auto huge = bytes();
  huge[10] = huge[11] = huge[12] = huge[13] = 0xff;
  auto h = DecodeEcsState(huge);
  EXPECT_EQ(h.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(h.status().message().find("root_ca_certificate_pem"), std::string::npos) << h.status().message();

  // Decoding applies the same field checks as encoding: a cert replaced by garbage of equal size.
  auto garbage = bytes();
  garbage[14] = 'X';  // first byte of the root certificate PEM
  auto g = DecodeEcsState(garbage);
  EXPECT_EQ(g.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(g.status().message().find("root_ca_certificate_pem is not a PEM CERTIFICATE"), std::string::npos)
      << g.status().message();
}

TEST(StateCodecTest, ModelKeysMustBeInStrictNameOrderAndTheAnchorIsTheTail) {
  EcsState s = FullState();
  s.manifest.reset();
  s.model_keys.clear();
  // Names with '-' and '_': the random base64 PEM keys elsewhere in the encoding cannot contain them.
  s.model_keys.emplace("m-a_", crypto::SecretBytes(32));
  s.model_keys.emplace("m-b_", crypto::SecretBytes(32));
  auto bytes = EncodeEcsState(s).value();
  std::vector<uint8_t> swapped(bytes.span().begin(), bytes.span().end());
  // Rename "m-b_" to "m-a_": a duplicate.
  const std::string marker = "m-b_";
  auto it = std::search(swapped.begin(), swapped.end(), marker.begin(), marker.end());
  ASSERT_NE(it, swapped.end());
  it[2] = 'a';
  auto r = DecodeEcsState(swapped);
  EXPECT_NE(r.status().message().find("strictly increasing"), std::string::npos) << r.status().message();

  // The anchor is the fixed-size tail: the configuration digest of the store excludes exactly it.
  s.audit_anchor = AuditAnchor{5, 999, {}};
  auto moved = EncodeEcsState(s).value();
  ASSERT_EQ(moved.size(), bytes.size());
  EXPECT_TRUE(std::equal(moved.data(), moved.data() + moved.size() - kEncodedAuditAnchorSize, bytes.data()));
  EXPECT_FALSE(std::equal(moved.data(), moved.data() + moved.size(), bytes.data()));
}

}  // namespace
}  // namespace s3ml::ecs
