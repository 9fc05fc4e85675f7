#include "attest/collateral.h"

#include <gtest/gtest.h>

#include "core/hex.h"
#include "core/time_format.h"
#include "sgx_samples.h"

namespace s3ml::attest {
namespace {

TEST(CollateralTest, LoadsTcbInfoV3) {
  auto c = LoadCollateralDirectory(testing::SgxDir("dcap-qvl"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const TcbInfo& t = c->tcb_info;
  EXPECT_EQ(t.version, 3);
  EXPECT_EQ(t.id, "SGX");
  EXPECT_EQ(HexEncode(t.fmspc), "00a067110000");
  EXPECT_EQ(FormatRfc3339(t.issue_date), "2025-06-19T10:56:11Z");
  EXPECT_EQ(t.levels.size(), 11u);
  EXPECT_EQ(t.levels[0].status, TcbStatus::kSwHardeningNeeded);
  EXPECT_EQ(t.levels[1].advisory_ids, (std::vector<std::string>{"INTEL-SA-00289", "INTEL-SA-00615"}));
  EXPECT_EQ(t.levels[0].sgx_component_svns[6], 12);
  EXPECT_EQ(t.levels[0].pcesvn, 13);
  // The signed text is the exact substring of the file.
  EXPECT_NE(testing::LoadSample("dcap-qvl").files.tcb_info_json.find(t.signed_text), std::string::npos);
  EXPECT_EQ(t.signed_text.front(), '{');
  EXPECT_EQ(c->qe_identity.mrsigner[0], 0x8c);
  EXPECT_EQ(c->qe_identity.isvprodid, 1);
  EXPECT_EQ(c->qe_identity.miscselect_mask, 0xffffffffu);
  EXPECT_EQ(c->qe_identity.levels.front().isvsvn, 8);
  EXPECT_EQ(c->tcb_info_issuer_chain.size(), 2u);
  EXPECT_EQ(c->pck_crl_issuer_chain.front().SubjectCommonName(), "Intel SGX PCK Processor CA");
}

TEST(CollateralTest, LoadsTcbInfoV2FieldNames) {
  auto c = LoadCollateralDirectory(testing::SgxDir("automata"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->tcb_info.version, 2);
  EXPECT_EQ(c->tcb_info.levels[0].sgx_component_svns[0], 14);
  EXPECT_EQ(c->tcb_info.levels[0].sgx_component_svns[5], 255);
  EXPECT_EQ(c->tcb_info.levels[0].pcesvn, 13);
  EXPECT_TRUE(c->tcb_info.levels[0].advisory_ids.empty());
  EXPECT_EQ(c->pck_crl.RevokedCount(), 44u);
}

TEST(CollateralTest, ErrorsNameTheFileAndField) {
  auto files = testing::LoadSample("dcap-qvl").files;
  auto bad_status = files;
  auto at = bad_status.tcb_info_json.find("\"SWHardeningNeeded\"");
  bad_status.tcb_info_json.replace(at, 19, "\"SWHardeningNeedex\"");
  auto r = ParseCollateral(bad_status);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("tcb_info.json"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().message().find("tcbLevels[0].tcbStatus"), std::string::npos) << r.status().ToString();

  auto missing = files;
  at = missing.tcb_info_json.find("\"pceId\"");
  missing.tcb_info_json.replace(at, 7, "\"pceXX\"");
  r = ParseCollateral(missing);
  EXPECT_NE(r.status().message().find("tcbInfo.pceId is missing"), std::string::npos) << r.status().ToString();

  auto tdx = files;
  tdx.tcb_info_json.replace(tdx.tcb_info_json.find("\"id\":\"SGX\""), 10, "\"id\":\"TDX\"");
  EXPECT_EQ(ParseCollateral(tdx).status().code(), StatusCode::kUnimplemented);

  auto qe = files;
  qe.qe_identity_json.replace(qe.qe_identity_json.find("\"isvprodid\":1"), 13, "\"isvprodid\":-1");
  r = ParseCollateral(qe);
  EXPECT_NE(r.status().message().find("enclaveIdentity.isvprodid"), std::string::npos) << r.status().ToString();

  auto crl = files;
  crl.pck_crl.resize(10);
  r = ParseCollateral(crl);
  EXPECT_NE(r.status().message().find("pck_crl.der"), std::string::npos) << r.status().ToString();

  auto chain = files;
  chain.tcb_info_issuer_chain_pem = "nothing";
  r = ParseCollateral(chain);
  EXPECT_NE(r.status().message().find("tcb_info_issuer_chain.pem"), std::string::npos);

  auto missing_dir = LoadCollateralDirectory("/nonexistent/collateral");
  EXPECT_FALSE(missing_dir.ok());
  EXPECT_NE(missing_dir.status().message().find("tcb_info.json"), std::string::npos);
}

}  // namespace
}  // namespace s3ml::attest
