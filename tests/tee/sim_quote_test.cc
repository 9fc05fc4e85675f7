// Simulated quotes built in-process verify with attest/'s DcapVerifier against the simulated root
// only, and carry the collateral's statuses (OutOfDate, revoked PCK, expiry and refresh).
#include <gtest/gtest.h>

#include "attest/dcap_verifier.h"
#include "attest/sgx_quote.h"
#include "core/clock.h"
#include "tee/sim/sim_quote_builder.h"
#include "tests/tee/sim_test_env.h"

namespace s3ml::tee::sim {
namespace {

using testing::kInitTime;
using testing::kVerifyTime;
using testing::TempDir;

Identity SomeEnclave(bool debug = false) {
  Identity id;
  id.mrenclave.fill(0x11);
  id.mrsigner.fill(0x22);
  id.isv_prod_id = 7;
  id.isv_svn = 3;
  id.debug = debug;
  return id;
}

std::array<uint8_t, 64> ReportData() {
  std::array<uint8_t, 64> rd{};
  for (size_t i = 0; i < rd.size(); ++i) rd[i] = static_cast<uint8_t>(i * 7);
  return rd;
}

TEST(SimQuoteTest, HasTheV3LayoutAndVerifiesAgainstTheSimulatedRootOnly) {
  TempDir tmp;
  SimAuthority a = testing::MakeAuthority(tmp.Sub("sim"));
  auto quote = BuildSimQuote(a, SomeEnclave(), ReportData());
  ASSERT_TRUE(quote.ok()) << quote.status().ToString();

  auto parsed = attest::ParseSgxQuote(quote.value());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->header.version, 3);
  EXPECT_EQ(parsed->header.attestation_key_type, 2);
  EXPECT_EQ(parsed->header.qe_vendor_id, attest::kIntelQeVendorId);
  EXPECT_EQ(parsed->header.qe_svn, a.state().qe_isv_svn);
  EXPECT_EQ(parsed->header.pce_svn, a.state().pcesvn);
  EXPECT_EQ(parsed->certification_data_type, 5);

  attest::Collateral collateral = testing::LoadSimCollateral(a);
  auto v = attest::VerifyDcapQuote(quote.value(), collateral, testing::SimAnchors(a), kVerifyTime);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->simulated_root);
  EXPECT_EQ(v->tcb_status, attest::TcbStatus::kUpToDate);
  EXPECT_EQ(v->identity.mrenclave, SomeEnclave().mrenclave);
  EXPECT_EQ(v->identity.mrsigner, SomeEnclave().mrsigner);
  EXPECT_EQ(v->identity.isv_prod_id, 7);
  EXPECT_EQ(v->identity.isv_svn, 3);
  EXPECT_FALSE(v->identity.debug);
  EXPECT_EQ(v->identity.report_data, ReportData());
  EXPECT_EQ(v->fmspc, a.state().fmspc);

  auto intel = attest::VerifyDcapQuote(quote.value(), collateral, attest::TrustAnchors::IntelOnly(), kVerifyTime);
  EXPECT_EQ(intel.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(intel.status().message().find("pinned root"), std::string::npos);
}

TEST(SimQuoteTest, DebugEnclaveGetsTheDebugAttribute) {
  TempDir tmp;
  SimAuthority a = testing::MakeAuthority(tmp.Sub("sim"));
  auto quote = BuildSimQuote(a, SomeEnclave(/*debug=*/true), ReportData()).value();
  auto v = attest::VerifyDcapQuote(quote, testing::LoadSimCollateral(a), testing::SimAnchors(a), kVerifyTime);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->identity.debug);
}

TEST(SimQuoteTest, ReportDataMustBe64Bytes) {
  TempDir tmp;
  SimAuthority a = testing::MakeAuthority(tmp.Sub("sim"));
  std::vector<uint8_t> short_rd(63);
  EXPECT_EQ(BuildSimQuote(a, SomeEnclave(), short_rd).status().code(), StatusCode::kInvalidArgument);
}

TEST(SimQuoteTest, AnyAlteredSignedByteFailsVerification) {
  TempDir tmp;
  SimAuthority a = testing::MakeAuthority(tmp.Sub("sim"));
  auto quote = BuildSimQuote(a, SomeEnclave(), ReportData()).value();
  attest::Collateral collateral = testing::LoadSimCollateral(a);
  // MRENCLAVE byte, report_data byte, a QE report byte.
  for (size_t offset : {48u + 64u, 48u + 320u, 436u + 128u + 70u}) {
    auto altered = quote;
    altered[offset] ^= 0x01;
    auto v = attest::VerifyDcapQuote(altered, collateral, testing::SimAnchors(a), kVerifyTime);
    EXPECT_EQ(v.status().code(), StatusCode::kPermissionDenied) << "offset " << offset;
  }
}

TEST(SimQuoteTest, OutOfDateTcbStatusIsReported) {
  TempDir tmp;
  SimAuthority a = testing::MakeAuthority(tmp.Sub("sim"), "OutOfDate");
  auto quote = BuildSimQuote(a, SomeEnclave(), ReportData()).value();
  auto v = attest::VerifyDcapQuote(quote, testing::LoadSimCollateral(a), testing::SimAnchors(a), kVerifyTime);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->tcb_status, attest::TcbStatus::kOutOfDate);
  EXPECT_EQ(v->platform_tcb_status, attest::TcbStatus::kOutOfDate);
  EXPECT_EQ(v->advisory_ids, std::vector<std::string>{"S3ML-SIM-SA-00001"});
}

TEST(SimQuoteTest, EveryKnownStatusIsReportedAsConfigured) {
  TempDir tmp;
  int n = 0;
  for (const char* status : {"SWHardeningNeeded", "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded",
                             "OutOfDateConfigurationNeeded"}) {
    SimAuthority a = testing::MakeAuthority(tmp.Sub("sim" + std::to_string(n++)), status);
    auto quote = BuildSimQuote(a, SomeEnclave(), ReportData()).value();
    auto v = attest::VerifyDcapQuote(quote, testing::LoadSimCollateral(a), testing::SimAnchors(a), kVerifyTime);
    ASSERT_TRUE(v.ok()) << status << ": " << v.status().ToString();
    EXPECT_EQ(attest::TcbStatusName(v->tcb_status), status);
  }
}

TEST(SimQuoteTest, RevokedTcbStatusIsRefused) {
  TempDir tmp;
  SimAuthority a = testing::MakeAuthority(tmp.Sub("sim"), "Revoked");
  auto quote = BuildSimQuote(a, SomeEnclave(), ReportData()).value();
  auto v = attest::VerifyDcapQuote(quote, testing::LoadSimCollateral(a), testing::SimAnchors(a), kVerifyTime);
  EXPECT_EQ(v.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(v.status().message().find("revoked"), std::string::npos);
}

TEST(SimQuoteTest, RevokedPckIsReportedAsRevoked) {
  TempDir tmp;
  SimAuthority a = testing::MakeAuthority(tmp.Sub("sim"));
  auto quote = BuildSimQuote(a, SomeEnclave(), ReportData()).value();
  ASSERT_TRUE(a.RevokePck(FixedClock(kInitTime + 60)).ok());
  auto v = attest::VerifyDcapQuote(quote, testing::LoadSimCollateral(a), testing::SimAnchors(a), kVerifyTime);
  EXPECT_EQ(v.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(v.status().message().find("revoked: PCK certificate"), std::string::npos) << v.status().ToString();
  // Revocation survives reopening and refresh.
  auto reopened = SimAuthority::Open(a.paths().root);
  ASSERT_TRUE(reopened.ok());
  ASSERT_TRUE(reopened->Refresh(FixedClock(kInitTime + 120)).ok());
  auto again = attest::VerifyDcapQuote(quote, testing::LoadSimCollateral(a), testing::SimAnchors(a), kInitTime + 180);
  EXPECT_NE(again.status().message().find("revoked"), std::string::npos);
}

TEST(SimQuoteTest, CollateralExpiresAndRefreshRenewsIt) {
  TempDir tmp;
  SimAuthority a = testing::MakeAuthority(tmp.Sub("sim"));
  auto quote = BuildSimQuote(a, SomeEnclave(), ReportData()).value();
  const int64_t later = kInitTime + 40 * 86400;
  auto expired = attest::VerifyDcapQuote(quote, testing::LoadSimCollateral(a), testing::SimAnchors(a), later);
  EXPECT_EQ(expired.status().code(), StatusCode::kOutOfRange) << expired.status().ToString();
  ASSERT_TRUE(a.Refresh(FixedClock(later - 60)).ok());
  attest::Collateral renewed = testing::LoadSimCollateral(a);
  EXPECT_EQ(renewed.tcb_info.tcb_evaluation_data_number, 2);
  auto v = attest::VerifyDcapQuote(quote, renewed, testing::SimAnchors(a), later);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->valid_until, later - 60 + 30 * 86400);
}

TEST(SimQuoteTest, AnotherHostsRootDoesNotVerify) {
  TempDir tmp;
  SimAuthority a = testing::MakeAuthority(tmp.Sub("a"));
  SimAuthority b = testing::MakeAuthority(tmp.Sub("b"));
  auto quote = BuildSimQuote(a, SomeEnclave(), ReportData()).value();
  auto v = attest::VerifyDcapQuote(quote, testing::LoadSimCollateral(a), testing::SimAnchors(b), kVerifyTime);
  EXPECT_EQ(v.status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace s3ml::tee::sim
