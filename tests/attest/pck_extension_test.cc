#include "attest/pck_extension.h"

#include <gtest/gtest.h>

#include "attest/sgx_quote.h"
#include "core/hex.h"
#include "sgx_samples.h"

namespace s3ml::attest {
namespace {

crypto::X509Certificate PckLeaf(const std::string& sample) {
  auto q = ParseSgxQuote(testing::LoadSample(sample).quote).value();
  return crypto::ParsePemCertificateChain(q.pck_chain_pem).value().front();
}

TEST(PckExtensionTest, DcapQvlProcessorPck) {
  auto leaf = PckLeaf("dcap-qvl");
  auto ext = SgxPckExtensionOf(leaf);
  ASSERT_TRUE(ext.ok()) << ext.status().ToString();
  EXPECT_EQ(HexEncode(ext->fmspc), "00a067110000");
  EXPECT_EQ(HexEncode(ext->pce_id), "0000");
  EXPECT_EQ(ext->pcesvn, 13);
  EXPECT_EQ(ext->sgx_type, 0);
  // Components match the TCB Info level "ConfigurationAndSWHardeningNeeded" (11,11,2,2,255,1,0...)
  // and not the SWHardeningNeeded one, which needs component 7 >= 12.
  EXPECT_EQ(ext->tcb_component_svns[0], 11);
  EXPECT_EQ(ext->tcb_component_svns[4], 255);
  EXPECT_LT(ext->tcb_component_svns[6], 12);
}

TEST(PckExtensionTest, AutomataPlatformPck) {
  auto ext = SgxPckExtensionOf(PckLeaf("automata"));
  ASSERT_TRUE(ext.ok()) << ext.status().ToString();
  EXPECT_EQ(HexEncode(ext->fmspc), "00606a000000");
  EXPECT_EQ(ext->sgx_type, 1);  // Platform CA PCKs are "Scalable"
}

TEST(PckExtensionTest, RefusesMalformedDer) {
  auto value = PckLeaf("dcap-qvl").ExtensionValue(kSgxExtensionOid).value().value();
  EXPECT_TRUE(ParseSgxPckExtension(value).ok());
  EXPECT_EQ(ParseSgxPckExtension({}).status().code(), StatusCode::kInvalidArgument);
  auto trailing = value;
  trailing.push_back(0);
  EXPECT_EQ(ParseSgxPckExtension(trailing).status().code(), StatusCode::kInvalidArgument);
  for (size_t cut = 0; cut < value.size(); cut += 7) {
    EXPECT_FALSE(ParseSgxPckExtension(std::span<const uint8_t>(value).first(cut)).ok()) << cut;
  }
  // An empty SEQUENCE parses as ASN.1 but lacks every field.
  auto empty = ParseSgxPckExtension(std::vector<uint8_t>{0x30, 0x00});
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(empty.status().message().find("missing"), std::string::npos);
  // A certificate without the extension (the root CA).
  auto chain = crypto::ParsePemCertificateChain(ParseSgxQuote(testing::LoadSample("dcap-qvl").quote)->pck_chain_pem).value();
  auto missing = SgxPckExtensionOf(chain.back());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("no SGX extension"), std::string::npos);
}

TEST(PckExtensionTest, FlippedBytesNeverCrash) {
  auto value = PckLeaf("automata").ExtensionValue(kSgxExtensionOid).value().value();
  size_t rejected = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    auto copy = value;
    copy[i] ^= 0xff;
    if (!ParseSgxPckExtension(copy).ok()) ++rejected;
  }
  // Structure bytes (tags, lengths, OIDs) are everywhere; most flips must be caught.
  EXPECT_GT(rejected, value.size() / 2);
}

}  // namespace
}  // namespace s3ml::attest
