#include "crypto/x509_crl.h"

#include <gtest/gtest.h>

#include <string>

#include "core/file.h"
#include "core/time_format.h"
#include "test_certificates.h"

namespace s3ml::crypto {
namespace {

const std::string kSgx = std::string(S3ML_TESTDATA_DIR) + "/sgx/";

int64_t T(const char* rfc3339) { return ParseRfc3339(rfc3339).value(); }

TEST(X509CrlTest, IntelRootCaCrl) {
  auto root = X509Certificate::FromDer(ReadFileBytes(kSgx + "dcap-qvl/intel_sgx_root_ca.der").value()).value();
  auto crl = X509Crl::FromDer(ReadFileBytes(kSgx + "dcap-qvl/root_ca_crl.der").value());
  ASSERT_TRUE(crl.ok()) << crl.status().ToString();
  EXPECT_TRUE(crl->IssuedBy(root));
  EXPECT_EQ(crl->IssuerName(), root.SubjectName());
  EXPECT_TRUE(crl->VerifySignedBy(root.PublicKey().value()).ok());
  EXPECT_EQ(crl->VerifySignedBy(EcKey::Generate(EcCurve::kP256).value()).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(FormatRfc3339(crl->ThisUpdate().value()), "2025-03-20T11:21:57Z");
  EXPECT_EQ(FormatRfc3339(crl->NextUpdate().value().value()), "2026-04-03T11:21:57Z");
  EXPECT_TRUE(crl->CheckCurrentAt(T("2025-07-01T00:00:00Z")).ok());
  Status early = crl->CheckCurrentAt(T("2025-01-01T00:00:00Z"));
  EXPECT_EQ(early.code(), StatusCode::kOutOfRange);
  Status late = crl->CheckCurrentAt(T("2026-05-01T00:00:00Z"));
  EXPECT_EQ(late.code(), StatusCode::kOutOfRange);
  EXPECT_NE(late.message().find("expired"), std::string::npos);
  EXPECT_EQ(crl->RevokedCount(), 0u);
  EXPECT_FALSE(crl->IsRevoked(root));
}

TEST(X509CrlTest, IntelPlatformCaCrlHas44Entries) {
  auto crl = X509Crl::FromDer(ReadFileBytes(kSgx + "automata/pck_crl.der").value());
  ASSERT_TRUE(crl.ok());
  EXPECT_EQ(crl->RevokedCount(), 44u);
  EXPECT_EQ(crl->RevokedSerials().size(), 44u);
  EXPECT_NE(crl->IssuerName().find("Intel SGX PCK Platform CA"), std::string::npos);
}

TEST(X509CrlTest, RevocationBySerial) {
  auto key = EcKey::Generate(EcCurve::kP256).value();
  const int64_t y2020 = T("2020-01-01T00:00:00Z"), y2030 = T("2030-01-01T00:00:00Z");
  auto ca = testing::MakeCertificate("CA", key, nullptr, key, y2020, y2030, 1, true);
  auto revoked = testing::MakeCertificate("revoked", key, &ca, key, y2020, y2030, 77, false);
  auto fine = testing::MakeCertificate("fine", key, &ca, key, y2020, y2030, 78, false);
  auto crl = testing::MakeCrl(ca, key, y2020, y2030, {5, 77});
  EXPECT_TRUE(crl.IsRevoked(revoked));
  EXPECT_FALSE(crl.IsRevoked(fine));
  EXPECT_EQ(crl.RevokedCount(), 2u);
  EXPECT_TRUE(crl.VerifySignedBy(key).ok());
  // A copy shares the same CRL.
  X509Crl copy = crl;
  EXPECT_EQ(copy.Der(), crl.Der());
}

TEST(X509CrlTest, TamperedAndMalformedCrls) {
  auto root = X509Certificate::FromDer(ReadFileBytes(kSgx + "dcap-qvl/intel_sgx_root_ca.der").value()).value();
  auto der = ReadFileBytes(kSgx + "dcap-qvl/root_ca_crl.der").value();
  auto tampered = der;
  tampered.back() ^= 0x01;  // last byte of the signature's s
  auto parsed = X509Crl::FromDer(tampered);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->VerifySignedBy(root.PublicKey().value()).code(), StatusCode::kPermissionDenied);
  auto trailing = der;
  trailing.push_back(0);
  EXPECT_EQ(X509Crl::FromDer(trailing).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(X509Crl::FromDer(std::span<const uint8_t>(der).first(100)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(X509Crl::FromPem("garbage").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace s3ml::crypto
