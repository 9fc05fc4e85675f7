// CreateRaTlsCertificate with a real simulated quote, and ParseRaTlsCertificate on good and
// malformed certificates.
#include "attest/ratls_certificate.h"

#include <gtest/gtest.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <algorithm>

#include "crypto/digest.h"
#include "crypto/x509_builder.h"
#include "tests/attest/ratls/ratls_test_env.h"

namespace s3ml::attest {
namespace {

using testing::RaTlsTestEnv;
using testing::TestEnclave;
using tee::testing::kVerifyTime;

class RaTlsCertificateTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new RaTlsTestEnv();
    enclave_ = new TestEnclave(env_->AddEnclave("cert_enclave", 7, 3));
  }
  static void TearDownTestSuite() {
    delete enclave_;
    delete env_;
  }
  static RaTlsTestEnv* env_;
  static TestEnclave* enclave_;
};
RaTlsTestEnv* RaTlsCertificateTest::env_ = nullptr;
TestEnclave* RaTlsCertificateTest::enclave_ = nullptr;

crypto::X509Certificate SelfSignedWith(std::optional<std::vector<uint8_t>> extension) {
  auto key = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  crypto::X509Builder b;
  b.SetSubject({{"CN", "plain"}}).SetValidity(kVerifyTime - 60, kVerifyTime + 3600).SetPublicKey(key);
  if (extension) b.AddExtension(kRaTlsQuoteOid, *extension);
  auto cert = b.Build(key);
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  return std::move(cert).value();
}

TEST_F(RaTlsCertificateTest, QuoteBindsTheCertificateKey) {
  auto platform = env_->PlatformOf(*enclave_);
  RaTlsCertificateOptions options;
  options.common_name = "model-server";
  options.dns_names = {"server.local"};
  options.ip_addresses = {"127.0.0.1"};
  auto creds = CreateRaTlsCertificate(*platform, options, FixedClock(kVerifyTime));
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  EXPECT_EQ(creds->certificate.SubjectCommonName(), "model-server");
  EXPECT_EQ(creds->certificate.NotAfter().value(), kVerifyTime + options.lifetime_seconds);
  EXPECT_TRUE(creds->certificate.CheckValidAt(kVerifyTime).ok());
  EXPECT_TRUE(creds->private_key.has_private_key());

  auto parsed = ParseRaTlsCertificate(creds->certificate_der);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const auto key_hash = crypto::Sha256(creds->private_key.PublicKeyDer().value());
  const auto& rd = parsed->quote.report_body.report_data;
  EXPECT_TRUE(std::equal(key_hash.begin(), key_hash.end(), rd.begin()));
  EXPECT_TRUE(std::all_of(rd.begin() + 32, rd.end(), [](uint8_t b) { return b == 0; }));
  EXPECT_EQ(parsed->quote.report_body.mrenclave, enclave_->mrenclave);
  EXPECT_EQ(parsed->spki_der, creds->private_key.PublicKeyDer().value());

  // Gramine's encoding: the extension is non-critical and its extnValue is the raw quote.
  X509* x = creds->certificate.x509();
  ASN1_OBJECT* oid = OBJ_txt2obj(kRaTlsQuoteOid, 1);
  ASSERT_NE(oid, nullptr);
  int index = X509_get_ext_by_OBJ(x, oid, -1);
  ASN1_OBJECT_free(oid);
  ASSERT_GE(index, 0);
  X509_EXTENSION* ext = X509_get_ext(x, index);
  EXPECT_EQ(X509_EXTENSION_get_critical(ext), 0);
  const ASN1_OCTET_STRING* value = X509_EXTENSION_get_data(ext);
  ASSERT_EQ(static_cast<size_t>(ASN1_STRING_length(value)), parsed->quote_bytes.size());
  EXPECT_EQ(parsed->quote_bytes[0], 3);  // quote version 3, little-endian
  EXPECT_EQ(parsed->quote_bytes[1], 0);
}

TEST_F(RaTlsCertificateTest, OptionalBindingFillsTheSecondHalfOfReportData) {
  auto platform = env_->PlatformOf(*enclave_);
  RaTlsCertificateOptions options;
  std::array<uint8_t, 32> binding;
  for (size_t i = 0; i < binding.size(); ++i) binding[i] = static_cast<uint8_t>(i + 1);
  options.report_data_binding = binding;
  options.curve = crypto::EcCurve::kP384;
  auto creds = CreateRaTlsCertificate(*platform, options, FixedClock(kVerifyTime));
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  EXPECT_EQ(creds->private_key.curve(), crypto::EcCurve::kP384);
  auto parsed = ParseRaTlsCertificate(creds->certificate_der);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const auto& rd = parsed->quote.report_body.report_data;
  EXPECT_TRUE(std::equal(binding.begin(), binding.end(), rd.begin() + 32));
}

TEST_F(RaTlsCertificateTest, BadOptionsAreRefused) {
  auto platform = env_->PlatformOf(*enclave_);
  RaTlsCertificateOptions options;
  options.lifetime_seconds = 0;
  auto creds = CreateRaTlsCertificate(*platform, options, FixedClock(kVerifyTime));
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(creds.status().message().find("lifetime_seconds"), std::string::npos);
  options = {};
  options.common_name = "";
  creds = CreateRaTlsCertificate(*platform, options, FixedClock(kVerifyTime));
  ASSERT_FALSE(creds.ok());
  EXPECT_NE(creds.status().message().find("common_name"), std::string::npos);
}

TEST_F(RaTlsCertificateTest, UnreachableQuotingServiceIsReported) {
  testing::EnclaveProcessPlatform platform(enclave_->binary, "/nonexistent/qe.sock");
  auto creds = CreateRaTlsCertificate(platform, {}, FixedClock(kVerifyTime));
  ASSERT_FALSE(creds.ok());
  EXPECT_NE(creds.status().message().find("RA-TLS quote"), std::string::npos);
}

void ExpectRefused(std::span<const uint8_t> der, StatusCode code, const std::string& fragment) {
  auto parsed = ParseRaTlsCertificate(der);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), code) << parsed.status().ToString();
  EXPECT_NE(parsed.status().message().find(fragment), std::string::npos) << parsed.status().ToString();
}

TEST(RaTlsParseTest, EmptyAndGarbageAreNotCertificates) {
  ExpectRefused({}, StatusCode::kInvalidArgument, "empty");
  const std::vector<uint8_t> garbage = {0x30, 0x82, 0x01, 0x00, 0xde, 0xad, 0xbe, 0xef};
  ExpectRefused(garbage, StatusCode::kInvalidArgument, "not a DER certificate");
  const std::vector<uint8_t> huge(kMaxRaTlsCertificateSize + 1, 0x30);
  ExpectRefused(huge, StatusCode::kResourceExhausted, "exceeds the limit");
}

TEST(RaTlsParseTest, CertificateWithoutQuoteExtensionIsRefused) {
  auto cert = SelfSignedWith(std::nullopt);
  ExpectRefused(cert.Der(), StatusCode::kInvalidArgument, "no RA-TLS quote extension");
}

TEST(RaTlsParseTest, GarbageInTheExtensionIsUnparsable) {
  auto cert = SelfSignedWith(std::vector<uint8_t>(600, 0x41));
  ExpectRefused(cert.Der(), StatusCode::kInvalidArgument, "RA-TLS quote unparsable");
}

TEST_F(RaTlsCertificateTest, TruncatedQuoteIsUnparsable) {
  auto platform = env_->PlatformOf(*enclave_);
  auto creds = CreateRaTlsCertificate(*platform, {}, FixedClock(kVerifyTime));
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  auto quote = ParseRaTlsCertificate(creds->certificate_der)->quote_bytes;
  for (size_t keep : {size_t{1}, size_t{100}, size_t{432}, quote.size() - 1}) {
    std::vector<uint8_t> truncated(quote.begin(), quote.begin() + static_cast<ptrdiff_t>(keep));
    auto cert = SelfSignedWith(truncated);
    ExpectRefused(cert.Der(), StatusCode::kInvalidArgument, "RA-TLS quote unparsable");
  }
}

TEST_F(RaTlsCertificateTest, TruncatedCertificateIsRefused) {
  auto platform = env_->PlatformOf(*enclave_);
  auto creds = CreateRaTlsCertificate(*platform, {}, FixedClock(kVerifyTime));
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  const auto& der = creds->certificate_der;
  for (size_t keep : {size_t{10}, der.size() / 2, der.size() - 1}) {
    ExpectRefused(std::span(der).first(keep), StatusCode::kInvalidArgument, "not a DER certificate");
  }
}

}  // namespace
}  // namespace s3ml::attest
