// RaTlsVerifier::Verify on certificates from simulated enclaves: the identity it returns and the
// step named by each refusal.
#include "attest/ratls_verifier.h"

#include <gtest/gtest.h>

#include <optional>

#include "attest/ratls_certificate.h"
#include "crypto/x509_builder.h"
#include "tests/attest/ratls/ratls_test_env.h"

namespace s3ml::attest {
namespace {

using testing::PolicyForSigner;
using testing::RaTlsTestEnv;
using testing::SimVerifierOptions;
using testing::TestEnclave;
using tee::testing::kVerifyTime;

constexpr int64_t kDay = 86400;

// Stands in for a PCCS that is down: answers every quote with `status` and records the quote.
class FailingCollateralSource final : public CollateralSource {
 public:
  explicit FailingCollateralSource(Status status) : status_(std::move(status)) {}
  Result<Collateral> CollateralFor(const SgxQuote& quote) override {
    last_quote = quote;
    return status_;
  }
  std::optional<SgxQuote> last_quote;

 private:
  Status status_;
};

class RaTlsVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new RaTlsTestEnv();
    enclave_ = new TestEnclave(env_->AddEnclave("verified_enclave", 11, 5));
    debug_enclave_ = new TestEnclave(env_->AddEnclave("debug_enclave", 11, 5, /*debug=*/true));
    auto platform = env_->PlatformOf(*enclave_);
    RaTlsCertificateOptions options;
    options.lifetime_seconds = 365 * kDay;
    auto creds = CreateRaTlsCertificate(*platform, options, FixedClock(kVerifyTime));
    ASSERT_TRUE(creds.ok()) << creds.status().ToString();
    certificate_ = new std::vector<uint8_t>(creds->certificate_der);
  }
  static void TearDownTestSuite() {
    delete certificate_;
    delete debug_enclave_;
    delete enclave_;
    delete env_;
  }

  Status VerifyStatus(const RaTlsVerifierOptions& options, std::span<const uint8_t> der) {
    auto verifier = RaTlsVerifier::Create(options);
    EXPECT_TRUE(verifier.ok()) << verifier.status().ToString();
    auto identity = verifier->Verify(der);
    return identity.status();
  }

  static RaTlsTestEnv* env_;
  static TestEnclave* enclave_;
  static TestEnclave* debug_enclave_;
  static std::vector<uint8_t>* certificate_;
  FixedClock clock_{kVerifyTime + 60};
};
RaTlsTestEnv* RaTlsVerifierTest::env_ = nullptr;
TestEnclave* RaTlsVerifierTest::enclave_ = nullptr;
TestEnclave* RaTlsVerifierTest::debug_enclave_ = nullptr;
std::vector<uint8_t>* RaTlsVerifierTest::certificate_ = nullptr;

void ExpectFailure(const Status& s, StatusCode code, const std::string& fragment) {
  ASSERT_FALSE(s.ok()) << "expected a failure containing '" << fragment << "'";
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_NE(s.message().find(fragment), std::string::npos) << s.ToString();
}

TEST_F(RaTlsVerifierTest, AcceptedEnclaveYieldsItsIdentity) {
  auto verifier = RaTlsVerifier::Create(SimVerifierOptions(*env_, PolicyForSigner(*enclave_), &clock_));
  ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
  auto identity = verifier->Verify(*certificate_);
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->enclave.mrenclave, enclave_->mrenclave);
  EXPECT_EQ(identity->enclave.mrsigner, enclave_->mrsigner);
  EXPECT_EQ(identity->enclave.isv_prod_id, 11);
  EXPECT_EQ(identity->enclave.isv_svn, 5);
  EXPECT_FALSE(identity->enclave.debug);
  EXPECT_TRUE(identity->simulated);
  EXPECT_EQ(identity->tcb_status, TcbStatus::kUpToDate);
  EXPECT_EQ(identity->binding, (std::array<uint8_t, 32>{}));
  EXPECT_EQ(identity->certificate_not_after, kVerifyTime + 365 * kDay);
  EXPECT_GT(identity->collateral_valid_until, clock_.NowUnixSeconds());
  EXPECT_EQ(identity->spki_der, ParseRaTlsCertificate(*certificate_)->spki_der);
}

TEST_F(RaTlsVerifierTest, MrenclaveRuleAcceptsAndUnknownMrenclaveIsRefused) {
  AttestationPolicy policy;
  policy.allow_simulated = true;
  policy.allowed_mrenclaves.push_back(enclave_->mrenclave);
  EXPECT_TRUE(VerifyStatus(SimVerifierOptions(*env_, policy, &clock_), *certificate_).ok());

  policy.allowed_mrenclaves = {std::array<uint8_t, 32>{0x42}};
  ExpectFailure(VerifyStatus(SimVerifierOptions(*env_, policy, &clock_), *certificate_),
                StatusCode::kPermissionDenied, "policy rule identity: MRENCLAVE");
}

TEST_F(RaTlsVerifierTest, OtherSignerOrOldSvnIsRefused) {
  AttestationPolicy policy = PolicyForSigner(*enclave_);
  policy.allowed_signers[0].min_isv_svn = 6;
  ExpectFailure(VerifyStatus(SimVerifierOptions(*env_, policy, &clock_), *certificate_),
                StatusCode::kPermissionDenied, "policy");
  policy = PolicyForSigner(*enclave_);
  policy.allowed_signers[0].mrsigner[0] ^= 1;
  ExpectFailure(VerifyStatus(SimVerifierOptions(*env_, policy, &clock_), *certificate_),
                StatusCode::kPermissionDenied, "policy");
}

TEST_F(RaTlsVerifierTest, DebugEnclaveIsRefusedByProductionPolicy) {
  auto platform = env_->PlatformOf(*debug_enclave_);
  auto creds = CreateRaTlsCertificate(*platform, {}, FixedClock(kVerifyTime));
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  ExpectFailure(VerifyStatus(SimVerifierOptions(*env_, PolicyForSigner(*debug_enclave_), &clock_),
                             creds->certificate_der),
                StatusCode::kPermissionDenied, "policy rule allow_debug");
  // The same certificate passes when the manifest allows debug enclaves, so the refusal above
  // was the debug rule and nothing else.
  auto verifier =
      RaTlsVerifier::Create(SimVerifierOptions(*env_, PolicyForSigner(*debug_enclave_, /*allow_debug=*/true), &clock_));
  auto identity = verifier->Verify(creds->certificate_der);
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_TRUE(identity->enclave.debug);
}

TEST_F(RaTlsVerifierTest, IntelRootOnlyRefusesSimulatedQuotes) {
  auto options = SimVerifierOptions(*env_, PolicyForSigner(*enclave_), &clock_);
  options.anchors = TrustAnchors::IntelOnly();
  ExpectFailure(VerifyStatus(options, *certificate_), StatusCode::kPermissionDenied, "DCAP verification");
}

TEST_F(RaTlsVerifierTest, SimulatedRootIsRefusedUnlessPolicyAllowsIt) {
  AttestationPolicy policy = PolicyForSigner(*enclave_);
  policy.allow_simulated = false;
  ExpectFailure(VerifyStatus(SimVerifierOptions(*env_, policy, &clock_), *certificate_),
                StatusCode::kPermissionDenied, "policy rule allow_simulated");
}

TEST_F(RaTlsVerifierTest, ExpiredOrNotYetValidCertificateIsRefused) {
  FixedClock late(kVerifyTime + 365 * kDay + 1);
  ExpectFailure(VerifyStatus(SimVerifierOptions(*env_, PolicyForSigner(*enclave_), &late), *certificate_),
                StatusCode::kOutOfRange, "validity");
  FixedClock early(kVerifyTime - 3600);
  ExpectFailure(VerifyStatus(SimVerifierOptions(*env_, PolicyForSigner(*enclave_), &early), *certificate_),
                StatusCode::kOutOfRange, "validity");
}

TEST_F(RaTlsVerifierTest, StaleCollateralIsRefused) {
  // The certificate is valid for a year; the simulated collateral only for 30 days.
  FixedClock later(kVerifyTime + 40 * kDay);
  ExpectFailure(VerifyStatus(SimVerifierOptions(*env_, PolicyForSigner(*enclave_), &later), *certificate_),
                StatusCode::kOutOfRange, "DCAP verification");
}

TEST_F(RaTlsVerifierTest, QuoteOfAnotherKeyFailsKeyBinding) {
  // A genuine quote, but for key A's SPKI, placed in a certificate of key B (a replayed quote).
  auto platform = env_->PlatformOf(*enclave_);
  auto key_a = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  auto key_b = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  auto quote = platform->GetQuote(RaTlsReportData(key_a.PublicKeyDer().value(), {}));
  ASSERT_TRUE(quote.ok()) << quote.status().ToString();
  crypto::X509Builder b;
  b.SetSubject({{"CN", "replayed"}}).SetValidity(kVerifyTime, kVerifyTime + kDay).SetPublicKey(key_b);
  b.AddExtension(kRaTlsQuoteOid, *quote);
  auto cert = b.Build(key_b);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  ExpectFailure(VerifyStatus(SimVerifierOptions(*env_, PolicyForSigner(*enclave_), &clock_), cert->Der()),
                StatusCode::kPermissionDenied, "key binding");
}

TEST_F(RaTlsVerifierTest, CertificateNotSignedByItsOwnKeyIsRefused) {
  auto parsed = ParseRaTlsCertificate(*certificate_);
  ASSERT_TRUE(parsed.ok());
  auto subject_key = crypto::EcKey::FromPublicKeyDer(parsed->spki_der).value();
  auto other = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  crypto::X509Builder b;
  b.SetSubject({{"CN", "forged"}}).SetValidity(kVerifyTime, kVerifyTime + kDay).SetPublicKey(subject_key);
  b.AddExtension(kRaTlsQuoteOid, parsed->quote_bytes);
  auto cert = b.Build(other);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  ExpectFailure(VerifyStatus(SimVerifierOptions(*env_, PolicyForSigner(*enclave_), &clock_), cert->Der()),
                StatusCode::kPermissionDenied, "self-signature");
}

TEST_F(RaTlsVerifierTest, MalformedCertificatesGiveCleanErrors) {
  auto options = SimVerifierOptions(*env_, PolicyForSigner(*enclave_), &clock_);
  ExpectFailure(VerifyStatus(options, std::vector<uint8_t>{1, 2, 3}), StatusCode::kInvalidArgument,
                "not a DER certificate");
  std::vector<uint8_t> truncated(certificate_->begin(), certificate_->begin() + 200);
  ExpectFailure(VerifyStatus(options, truncated), StatusCode::kInvalidArgument, "RA-TLS certificate");
}

TEST_F(RaTlsVerifierTest, CollateralSourceFailureIsNamed) {
  auto options = SimVerifierOptions(*env_, PolicyForSigner(*enclave_), &clock_);
  auto source = std::make_shared<FailingCollateralSource>(Unavailable("PCCS unreachable"));
  options.collateral = source;
  ExpectFailure(VerifyStatus(options, *certificate_), StatusCode::kUnavailable, "collateral");
  // The source is asked with the certificate's own quote (so it can pick FMSPC and PCK CA).
  ASSERT_TRUE(source->last_quote.has_value());
  auto parsed = ParseRaTlsCertificate(*certificate_);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(source->last_quote->pck_chain_pem, parsed->quote.pck_chain_pem);
  EXPECT_EQ(source->last_quote->report_body.report_data, parsed->quote.report_body.report_data);
}

TEST(RaTlsVerifierCreateTest, MissingPartsAreRefused) {
  FixedClock clock(kVerifyTime);
  RaTlsVerifierOptions options;
  options.clock = &clock;
  EXPECT_EQ(RaTlsVerifier::Create(options).status().code(), StatusCode::kInvalidArgument);  // no collateral
  options.collateral = std::make_shared<FailingCollateralSource>(NotFound("none"));
  options.clock = nullptr;
  EXPECT_EQ(RaTlsVerifier::Create(options).status().code(), StatusCode::kInvalidArgument);  // no clock
  options.clock = &clock;
  options.anchors = TrustAnchors::None();
  EXPECT_EQ(RaTlsVerifier::Create(options).status().code(), StatusCode::kInvalidArgument);  // no anchor
  options.anchors = TrustAnchors::IntelOnly();
  EXPECT_TRUE(RaTlsVerifier::Create(options).ok());
}

}  // namespace
}  // namespace s3ml::attest
