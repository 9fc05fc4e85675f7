#include "tee/sim/sim_authority.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "attest/dcap_verifier.h"
#include "attest/pck_extension.h"
#include "core/clock.h"
#include "core/file.h"
#include "tests/tee/sim_test_env.h"

namespace s3ml::tee::sim {
namespace {

using testing::kInitTime;
using testing::TempDir;

unsigned ModeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

TEST(SimAuthorityTest, InitCreatesTheCollateralLayoutKeysAndSecret) {
  TempDir tmp;
  SimAuthority a = testing::MakeAuthority(tmp.Sub("sim"));
  const SimPaths& p = a.paths();
  for (const char* f :
       {"tcb_info.json", "tcb_info_issuer_chain.pem", "qe_identity.json", "qe_identity_issuer_chain.pem", "pck_crl.der",
        "pck_crl_issuer_chain.pem", "root_ca_crl.der", "intel_sgx_root_ca.der"}) {
    EXPECT_TRUE(ReadFileBytes(p.collateral_file(f)).ok()) << f;
  }
  for (const char* k : {"root_ca", "pck_platform_ca", "pck", "tcb_signing", "qe_attestation"}) {
    EXPECT_EQ(ModeOf(p.key(k)), 0600u) << k;
  }
  EXPECT_EQ(ModeOf(p.platform_secret()), 0600u);
  EXPECT_EQ(ModeOf(p.keys()), 0700u);
  EXPECT_EQ(ReadFileBytes(p.platform_secret())->size(), 32u);
  EXPECT_EQ(a.root_certificate().SubjectCommonName(), kSimRootCaName);
  auto root_der = ReadFileBytes(p.collateral_file("intel_sgx_root_ca.der"));
  EXPECT_EQ(root_der.value(), a.root_certificate().Der());

  // The collateral loads with attest/'s loader, and the PCK extension with its parser.
  attest::Collateral c = testing::LoadSimCollateral(a);
  EXPECT_EQ(c.tcb_info.version, 3);
  EXPECT_EQ(c.tcb_info.issue_date, kInitTime);
  EXPECT_EQ(c.tcb_info.next_update, kInitTime + 30 * 86400);
  EXPECT_EQ(c.tcb_info.fmspc, a.state().fmspc);
  EXPECT_EQ(c.qe_identity.mrsigner, a.state().qe_mrsigner);
  auto ext = attest::SgxPckExtensionOf(a.pck_certificate());
  ASSERT_TRUE(ext.ok()) << ext.status().ToString();
  EXPECT_EQ(ext->fmspc, a.state().fmspc);
  EXPECT_EQ(ext->pcesvn, a.state().pcesvn);
  EXPECT_EQ(ext->tcb_component_svns, a.state().tcb_component_svns);
  EXPECT_EQ(ext->ppid, a.state().ppid);
}

TEST(SimAuthorityTest, SecondInitIsRefusedAndOpenReloadsTheSamePlatform) {
  TempDir tmp;
  SimAuthority a = testing::MakeAuthority(tmp.Sub("sim"));
  auto again = SimAuthority::Create(tmp.Sub("sim"), SimInitOptions{}, FixedClock(kInitTime));
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  auto opened = SimAuthority::Open(tmp.Sub("sim"));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->root_certificate().Der(), a.root_certificate().Der());
  EXPECT_TRUE(opened->platform_secret().Equals(a.platform_secret().span()));
  EXPECT_EQ(opened->pck_chain_pem(), a.pck_chain_pem());
}

TEST(SimAuthorityTest, InitOptionsAreValidated) {
  TempDir tmp;
  SimInitOptions bad_status;
  bad_status.tcb_status = "Fine";
  auto r = SimAuthority::Create(tmp.Sub("a"), bad_status, FixedClock(kInitTime));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("Fine"), std::string::npos);
  SimInitOptions bad_days;
  bad_days.validity_days = 0;
  EXPECT_EQ(SimAuthority::Create(tmp.Sub("b"), bad_days, FixedClock(kInitTime)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SimAuthorityTest, OpenNamesWhatIsMissingOrCorrupt) {
  TempDir tmp;
  auto missing = SimAuthority::Open(tmp.Sub("none"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("sim init"), std::string::npos);

  SimAuthority a = testing::MakeAuthority(tmp.Sub("sim"));
  const SimPaths p = a.paths();
  ASSERT_TRUE(WriteFileAtomic(p.platform_secret(), std::vector<uint8_t>(31, 1)).ok());
  auto short_secret = SimAuthority::Open(p.root);
  EXPECT_EQ(short_secret.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(short_secret.status().message().find("platform_secret"), std::string::npos);

  ASSERT_TRUE(WriteFileAtomic(p.key("pck"), AsBytes("not a key")).ok());
  EXPECT_EQ(SimAuthority::Open(p.root).status().code(), StatusCode::kDataLoss);

  ASSERT_TRUE(WriteFileAtomic(p.state(), AsBytes("{\"version\": 1}")).ok());
  auto bad_state = SimAuthority::Open(p.root);
  EXPECT_EQ(bad_state.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_state.status().message().find("fmspc"), std::string::npos);
}

TEST(SimAuthorityTest, FmspcOptionReachesCertificateAndTcbInfo) {
  TempDir tmp;
  SimInitOptions o;
  o.fmspc = std::array<uint8_t, 6>{0x00, 0x60, 0x6a, 0x00, 0x00, 0x00};
  auto a = SimAuthority::Create(tmp.Sub("sim"), o, FixedClock(kInitTime));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(attest::SgxPckExtensionOf(a->pck_certificate())->fmspc, *o.fmspc);
  EXPECT_EQ(testing::LoadSimCollateral(a.value()).tcb_info.fmspc, *o.fmspc);
}

}  // namespace
}  // namespace s3ml::tee::sim
