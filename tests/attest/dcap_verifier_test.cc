#include "attest/dcap_verifier.h"

#include <gtest/gtest.h>

#include "core/hex.h"
#include "crypto/ec_key.h"
#include "sgx_samples.h"

namespace s3ml::attest {
namespace {

using testing::LoadSample;
using testing::SgxSample;
using testing::Verify;

// Offsets of the quote's regions (README.md of testdata/sgx).
constexpr size_t kSigData = 436;
constexpr size_t kQuoteSignature = kSigData;
constexpr size_t kAttestationKey = kSigData + 64;
constexpr size_t kQeReport = kSigData + 128;
constexpr size_t kQeReportSignature = kQeReport + 384;
constexpr size_t kQeAuthData = kQeReportSignature + 64 + 2;

std::vector<std::string> Strings(std::initializer_list<const char*> list) { return {list.begin(), list.end()}; }

void ExpectFailure(const Result<VerifiedQuote>& r, StatusCode code, const std::string& needle, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what << " was accepted";
  EXPECT_EQ(r.status().code(), code) << what << ": " << r.status().ToString();
  EXPECT_NE(r.status().message().find(needle), std::string::npos)
      << what << ": expected \"" << needle << "\" in: " << r.status().ToString();
}

TEST(DcapVerifierTest, DcapQvlSample) {
  SgxSample s = LoadSample("dcap-qvl");
  auto v = Verify(s.quote, s.files, s.inside);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(TcbStatusName(v->tcb_status), "ConfigurationAndSWHardeningNeeded");
  EXPECT_EQ(v->platform_tcb_status, TcbStatus::kConfigurationAndSwHardeningNeeded);
  EXPECT_EQ(v->qe_tcb_status, TcbStatus::kUpToDate);
  EXPECT_EQ(v->advisory_ids, Strings({"INTEL-SA-00289", "INTEL-SA-00615"}));
  EXPECT_EQ(HexEncode(v->fmspc), "00a067110000");
  EXPECT_EQ(HexEncode(v->identity.mrenclave), "33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb");
  EXPECT_EQ(HexEncode(v->identity.mrsigner), "815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6");
  EXPECT_EQ(v->identity.isv_prod_id, 0);
  EXPECT_EQ(v->identity.isv_svn, 0);
  EXPECT_FALSE(v->identity.debug);
  std::array<uint8_t, 64> report_data{};
  std::string hello = "Hello, world!";
  std::copy(hello.begin(), hello.end(), report_data.begin());
  EXPECT_EQ(v->identity.report_data, report_data);
  EXPECT_EQ(v->trust_anchor, "Intel SGX Root CA");
  EXPECT_FALSE(v->simulated_root);
  EXPECT_EQ(v->valid_until, s.window_end);
}

TEST(DcapVerifierTest, AutomataSampleWithTcbInfoV2) {
  SgxSample s = LoadSample("automata");
  auto v = Verify(s.quote, s.files, s.inside);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->tcb_status, TcbStatus::kOutOfDate);
  EXPECT_EQ(v->qe_tcb_status, TcbStatus::kUpToDate);
  EXPECT_TRUE(v->advisory_ids.empty());
  EXPECT_EQ(HexEncode(v->fmspc), "00606a000000");
  EXPECT_EQ(HexEncode(v->identity.mrenclave), "a4f45c39dac622cb1dd32ddb35a52ec92db41d0fa88a1c911c49e59c534f61cd");
  EXPECT_EQ(HexEncode(v->identity.mrsigner), "1bda23eb3a807dfe735ddcebbfa2eac05e04a00df2804296612f770b594180ba");
  EXPECT_FALSE(v->identity.debug);
  EXPECT_EQ(v->identity.report_data, (std::array<uint8_t, 64>{}));
}

TEST(DcapVerifierTest, OcclumDebugSample) {
  SgxSample s = LoadSample("occlum-debug");
  auto v = Verify(s.quote, s.files, s.inside);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->tcb_status, TcbStatus::kOutOfDate);
  EXPECT_TRUE(v->identity.debug);
  EXPECT_EQ(HexEncode(v->identity.mrenclave), "8f173e4613ff05c52aaf04162d234edae8c9977eae47eb2299ae16a553011c68");
  EXPECT_EQ(HexEncode(v->identity.mrsigner), "83d719e77deaca1470f6baf62a4d774303c899db69020f9c70ee1dfc08c7ce9e");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(v->identity.report_data.data()), 5), std::string("test\0", 5));
}

TEST(DcapVerifierTest, WindowEdgesAndExpiry) {
  for (const auto& name : testing::SampleNames()) {
    SgxSample s = LoadSample(name);
    EXPECT_TRUE(Verify(s.quote, s.files, s.window_start).ok()) << name;
    EXPECT_TRUE(Verify(s.quote, s.files, s.window_end).ok()) << name;
    auto before = Verify(s.quote, s.files, s.window_start - 1);
    ASSERT_FALSE(before.ok()) << name;
    EXPECT_EQ(before.status().code(), StatusCode::kOutOfRange) << before.status().ToString();
    EXPECT_NE(before.status().message().find("not yet valid"), std::string::npos) << before.status().ToString();
    auto after = Verify(s.quote, s.files, s.window_end + 1);
    ASSERT_FALSE(after.ok()) << name;
    EXPECT_EQ(after.status().code(), StatusCode::kOutOfRange) << after.status().ToString();
    EXPECT_NE(after.status().message().find("expired"), std::string::npos) << after.status().ToString();
    // Far outside: years later.
    ExpectFailure(Verify(s.quote, s.files, s.window_end + 400LL * 86400), StatusCode::kOutOfRange, "expired", name);
  }
}

TEST(DcapVerifierTest, QuoteRegionsAreAllCovered) {
  struct Region {
    const char* what;
    size_t offset;
    StatusCode code;
    const char* reason;
  };
  const Region regions[] = {
      {"header (QE SVN)", 8, StatusCode::kPermissionDenied, "bad signature of quote"},
      {"header (user data)", 30, StatusCode::kPermissionDenied, "bad signature of quote"},
      {"report body (MRENCLAVE)", 112, StatusCode::kPermissionDenied, "bad signature of quote"},
      {"report body (attributes)", 96, StatusCode::kPermissionDenied, "bad signature of quote"},
      {"report body (report_data)", 400, StatusCode::kPermissionDenied, "bad signature of quote"},
      {"quote signature", kQuoteSignature + 5, StatusCode::kPermissionDenied, "bad signature of quote"},
      {"attestation key", kAttestationKey + 10, StatusCode::kPermissionDenied, "mismatch of QE report data"},
      {"QE report", kQeReport + 20, StatusCode::kPermissionDenied, "bad signature of QE report"},
      {"QE report data", kQeReport + 320, StatusCode::kPermissionDenied, "bad signature of QE report"},
      {"QE report signature", kQeReportSignature + 40, StatusCode::kPermissionDenied, "bad signature of QE report"},
      {"QE auth data", kQeAuthData + 3, StatusCode::kPermissionDenied, "mismatch of QE report data"},
  };
  for (const auto& name : testing::SampleNames()) {
    SgxSample s = LoadSample(name);
    for (const Region& r : regions) {
      auto quote = s.quote;
      quote[r.offset] ^= 0x01;
      ExpectFailure(Verify(quote, s.files, s.inside), r.code, r.reason, name + " " + r.what);
    }
  }
}

// Changes one base64 character of the PCK leaf (inside its signature, near the end of the PEM
// block) so that the certificate still parses but no longer verifies.
TEST(DcapVerifierTest, TamperedPckCertificateIsRejected) {
  for (const auto& name : testing::SampleNames()) {
    SgxSample s = LoadSample(name);
    std::string quote_text(s.quote.begin(), s.quote.end());
    size_t end = quote_text.find("-----END CERTIFICATE-----");
    ASSERT_NE(end, std::string::npos);
    size_t pos = end - 12;  // a few characters before the end of the leaf's base64
    auto quote = s.quote;
    quote[pos] = quote[pos] == 'A' ? 'B' : 'A';
    auto r = Verify(quote, s.files, s.inside);
    ExpectFailure(r, StatusCode::kPermissionDenied, "PCK certificate chain", name + " PCK leaf signature");

    // A byte of the leaf's TBS (its public key region) changes what was signed.
    auto tbs = s.quote;
    size_t begin = quote_text.find("-----BEGIN CERTIFICATE-----");
    size_t key_pos = begin + 28 + 400;
    tbs[key_pos] = tbs[key_pos] == 'A' ? 'B' : 'A';
    auto r2 = Verify(tbs, s.files, s.inside);
    ASSERT_FALSE(r2.ok()) << name;
    EXPECT_NE(r2.status().message().find("PCK"), std::string::npos) << r2.status().ToString();
  }
}

// Replaces one character inside a signed JSON member, keeping the JSON valid.
std::string Retouch(std::string json, const std::string& from, const std::string& to) {
  size_t at = json.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) json.replace(at, from.size(), to);
  return json;
}

TEST(DcapVerifierTest, TamperedCollateralIsRejected) {
  for (const auto& name : testing::SampleNames()) {
    SgxSample s = LoadSample(name);
    auto tcb = s.files;
    tcb.tcb_info_json = Retouch(tcb.tcb_info_json, "\"tcbEvaluationDataNumber\":17", "\"tcbEvaluationDataNumber\":18");
    ExpectFailure(Verify(s.quote, tcb, s.inside), StatusCode::kPermissionDenied, "bad signature of TCB Info", name);

    // Upgrading a TCB level's status is exactly the attack the signature stops.
    auto upgrade = s.files;
    upgrade.tcb_info_json = Retouch(upgrade.tcb_info_json, "\"OutOfDate\"", "\"UpToDate\"");
    ExpectFailure(Verify(s.quote, upgrade, s.inside), StatusCode::kPermissionDenied, "bad signature of TCB Info", name);

    auto tcb_sig = s.files;
    size_t sig_at = tcb_sig.tcb_info_json.find("\"signature\":\"") + 13;
    tcb_sig.tcb_info_json[sig_at] = tcb_sig.tcb_info_json[sig_at] == '0' ? '1' : '0';
    ExpectFailure(Verify(s.quote, tcb_sig, s.inside), StatusCode::kPermissionDenied, "bad signature of TCB Info", name);

    auto qe = s.files;
    qe.qe_identity_json = Retouch(qe.qe_identity_json, "\"isvprodid\":1", "\"isvprodid\":2");
    ExpectFailure(Verify(s.quote, qe, s.inside), StatusCode::kPermissionDenied, "bad signature of QE Identity", name);

    auto root_crl = s.files;
    root_crl.root_ca_crl.back() ^= 0x01;
    ExpectFailure(Verify(s.quote, root_crl, s.inside), StatusCode::kPermissionDenied, "bad signature of the root CA CRL", name);

    auto pck_crl = s.files;
    pck_crl.pck_crl.back() ^= 0x01;
    ExpectFailure(Verify(s.quote, pck_crl, s.inside), StatusCode::kPermissionDenied, "bad signature of the PCK CRL", name);
  }
}

TEST(DcapVerifierTest, MismatchedCollateralIsRejected) {
  SgxSample qvl = LoadSample("dcap-qvl");
  SgxSample automata = LoadSample("automata");
  // A Processor-CA quote with Platform-CA collateral: the PCK CRL is from another CA.
  ExpectFailure(Verify(qvl.quote, automata.files, automata.inside), StatusCode::kPermissionDenied,
                "mismatch of PCK CRL issuer", "dcap-qvl quote with automata collateral");
  // Genuine TCB Info of another FMSPC from an earlier window, with its own issuer chain: the
  // older TCB Signing certificate has expired by the dcap-qvl window (2025-07-04).
  auto mixed = qvl.files;
  mixed.tcb_info_json = automata.files.tcb_info_json;
  mixed.tcb_info_issuer_chain_pem = automata.files.tcb_info_issuer_chain_pem;
  ExpectFailure(Verify(qvl.quote, mixed, qvl.inside), StatusCode::kOutOfRange, "TCB Info issuer chain",
                "old TCB Info");
  // With the current issuer chain (a re-issued certificate for the same TCB Signing key) the
  // signature holds, and the document itself is expired.
  mixed.tcb_info_issuer_chain_pem = qvl.files.tcb_info_issuer_chain_pem;
  ExpectFailure(Verify(qvl.quote, mixed, qvl.inside), StatusCode::kOutOfRange, "TCB Info expired",
                "old TCB Info, new chain");
  // In the automata window, with the automata quote, TCB Info for FMSPC 00A067110000 (dcap-qvl's)
  // is not yet valid, checked before the FMSPC comparison.
  auto other_fmspc = automata.files;
  other_fmspc.tcb_info_json = qvl.files.tcb_info_json;
  other_fmspc.tcb_info_issuer_chain_pem = qvl.files.tcb_info_issuer_chain_pem;
  ExpectFailure(Verify(automata.quote, other_fmspc, automata.inside), StatusCode::kOutOfRange, "not yet valid",
                "future TCB Info");
}

TEST(DcapVerifierTest, WrongTrustAnchorIsRejected) {
  SgxSample s = LoadSample("dcap-qvl");
  auto collateral = ParseCollateral(s.files).value();
  auto key = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  TrustAnchors other = TrustAnchors::None();
  ASSERT_TRUE(other.AddRawP256Key("someone else", key.RawPublicKey().value(), false).ok());
  auto r = VerifyDcapQuote(s.quote, collateral, other, s.inside);
  ExpectFailure(r, StatusCode::kPermissionDenied, "pinned root mismatch", "wrong anchor");
  ExpectFailure(VerifyDcapQuote(s.quote, collateral, TrustAnchors::None(), s.inside), StatusCode::kPermissionDenied,
                "pinned root mismatch", "no anchor");
}

TEST(DcapVerifierTest, TruncatedQuotesFailCleanly) {
  SgxSample s = LoadSample("automata");
  auto collateral = ParseCollateral(s.files).value();
  auto anchors = TrustAnchors::IntelOnly();
  for (size_t cut = 0; cut < s.quote.size(); cut += 13) {
    std::vector<uint8_t> prefix(s.quote.begin(), s.quote.begin() + static_cast<long>(cut));
    auto r = VerifyDcapQuote(prefix, collateral, anchors, s.inside);
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << cut << ": " << r.status().ToString();
  }
}

}  // namespace
}  // namespace s3ml::attest
