#include "attest/trust_anchor.h"

#include <gtest/gtest.h>

#include "core/file.h"
#include "crypto/ec_key.h"
#include "sgx_samples.h"

namespace s3ml::attest {
namespace {

TEST(TrustAnchorTest, EmbeddedIntelKeyEqualsTheRootCertificateInTestdata) {
  for (const auto& name : testing::SampleNames()) {
    auto der = ReadFileBytes(testing::SgxDir(name) + "/intel_sgx_root_ca.der");
    ASSERT_TRUE(der.ok());
    auto root = crypto::X509Certificate::FromDer(der.value());
    ASSERT_TRUE(root.ok());
    auto raw = root->PublicKey().value().RawPublicKey();
    ASSERT_TRUE(raw.ok());
    EXPECT_EQ(raw.value(), std::vector<uint8_t>(kIntelSgxRootCaPublicKey.begin(), kIntelSgxRootCaPublicKey.end()));
    const TrustAnchors intel = TrustAnchors::IntelOnly();
    const TrustAnchor* anchor = intel.Find(root.value());
    ASSERT_NE(anchor, nullptr);
    EXPECT_FALSE(anchor->simulated);
  }
}

TEST(TrustAnchorTest, RootCertificatesMustBeSelfSigned) {
  auto sample_chain = crypto::ParsePemCertificateChain(testing::LoadSample("dcap-qvl").files.tcb_info_issuer_chain_pem).value();
  TrustAnchors anchors = TrustAnchors::None();
  EXPECT_EQ(anchors.Find(sample_chain.back()), nullptr);
  // The TCB Signing certificate is not self-issued.
  EXPECT_FALSE(anchors.AddRootCertificate(sample_chain.front(), true).ok());
  ASSERT_TRUE(anchors.AddRootCertificate(sample_chain.back(), true).ok());
  ASSERT_NE(anchors.Find(sample_chain.back()), nullptr);
  EXPECT_TRUE(anchors.Find(sample_chain.back())->simulated);
  EXPECT_FALSE(anchors.AddRawP256Key("bad", std::vector<uint8_t>(64, 1), false).ok());
}

}  // namespace
}  // namespace s3ml::attest
