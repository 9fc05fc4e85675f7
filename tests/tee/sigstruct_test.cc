#include <gtest/gtest.h>

#include "crypto/digest.h"
#include "tee/sim/sim_sigstruct.h"

namespace s3ml::tee::sim {
namespace {

std::array<uint8_t, 32> Mr(uint8_t v) {
  std::array<uint8_t, 32> m;
  m.fill(v);
  return m;
}

TEST(SigstructTest, RoundTripGivesIdentityAndMrSigner) {
  auto key = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  auto bytes = SignSigstruct(key, Mr(0x5a), 42, 9);
  ASSERT_TRUE(bytes.ok());
  auto s = ParseAndVerifySigstruct(bytes.value());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->mrenclave, Mr(0x5a));
  EXPECT_EQ(s->isv_prod_id, 42);
  EXPECT_EQ(s->isv_svn, 9);
  EXPECT_EQ(s->mrsigner, crypto::Sha256(key.PublicKeyDer().value()));
}

TEST(SigstructTest, EveryFlippedByteIsRefused) {
  auto key = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  auto bytes = SignSigstruct(key, Mr(1), 1, 1).value();
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto altered = bytes;
    altered[i] ^= 0x40;
    EXPECT_FALSE(ParseAndVerifySigstruct(altered).ok()) << "byte " << i;
  }
}

TEST(SigstructTest, MalformedInputNamesTheProblem) {
  auto key = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  auto bytes = SignSigstruct(key, Mr(1), 1, 1).value();
  EXPECT_NE(ParseAndVerifySigstruct({}).status().message().find("S3MLSIG1"), std::string::npos);
  auto truncated = std::vector<uint8_t>(bytes.begin(), bytes.begin() + 50);
  EXPECT_NE(ParseAndVerifySigstruct(truncated).status().message().find("truncated"), std::string::npos);
  auto trailing = bytes;
  trailing.push_back(0);
  EXPECT_NE(ParseAndVerifySigstruct(trailing).status().message().find("trailing"), std::string::npos);
  std::vector<uint8_t> huge(kMaxSigstructSize + 1, 0);
  EXPECT_EQ(ParseAndVerifySigstruct(huge).status().code(), StatusCode::kInvalidArgument);
  // Re-signed by another key over the same content: valid, but a different MRSIGNER.
  auto other = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  auto s2 = ParseAndVerifySigstruct(SignSigstruct(other, Mr(1), 1, 1).value());
  EXPECT_NE(s2->mrsigner, ParseAndVerifySigstruct(bytes)->mrsigner);
}

}  // namespace
}  // namespace s3ml::tee::sim
