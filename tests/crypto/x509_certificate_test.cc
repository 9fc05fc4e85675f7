#include "crypto/x509_certificate.h"

#include <gtest/gtest.h>

#include <string>

#include "core/file.h"
#include "core/time_format.h"
#include "crypto/certificate_chain.h"
#include "test_certificates.h"

namespace s3ml::crypto {
namespace {

const std::string kSgx = std::string(S3ML_TESTDATA_DIR) + "/sgx/";

int64_t T(const char* rfc3339) { return ParseRfc3339(rfc3339).value(); }

X509Certificate IntelRoot() {
  return X509Certificate::FromDer(ReadFileBytes(kSgx + "dcap-qvl/intel_sgx_root_ca.der").value()).value();
}

TEST(X509CertificateTest, ParsesIntelRootCa) {
  X509Certificate root = IntelRoot();
  EXPECT_EQ(root.SubjectCommonName(), "Intel SGX Root CA");
  EXPECT_NE(root.SubjectName().find("O=Intel Corporation"), std::string::npos);
  EXPECT_EQ(root.SubjectName(), root.IssuerName());
  EXPECT_EQ(FormatRfc3339(root.NotBefore().value()), "2018-05-21T10:45:10Z");
  EXPECT_EQ(FormatRfc3339(root.NotAfter().value()), "2049-12-31T23:59:59Z");
  auto key = root.PublicKey();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->curve(), EcCurve::kP256);
  EXPECT_TRUE(root.VerifySignedBy(key.value()).ok());
  EXPECT_TRUE(root.IssuedBy(root));
  EXPECT_EQ(X509Certificate::FromDer(root.Der()).value().Der(), root.Der());
  auto basic_constraints = root.ExtensionValue("2.5.29.19");
  ASSERT_TRUE(basic_constraints.ok());
  EXPECT_TRUE(basic_constraints->has_value());
  EXPECT_FALSE(root.ExtensionValue("1.2.840.113741.1.13.1").value().has_value());
  EXPECT_EQ(root.ExtensionValue("not an oid").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(root.CheckValidAt(T("2030-01-01T00:00:00Z")).ok());
  EXPECT_EQ(root.CheckValidAt(T("2018-01-01T00:00:00Z")).code(), StatusCode::kOutOfRange);
}

TEST(X509CertificateTest, IntelTcbSigningChainVerifiesOnlyInsideValidity) {
  auto chain = ParsePemCertificateChain(ReadFileText(kSgx + "dcap-qvl/tcb_info_issuer_chain.pem").value());
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  ASSERT_EQ(chain->size(), 2u);
  const X509Certificate& signer = (*chain)[0];
  EXPECT_EQ(signer.SubjectCommonName(), "Intel SGX TCB Signing");
  EXPECT_TRUE(signer.IssuedBy((*chain)[1]));
  X509Certificate root = IntelRoot();
  std::span<const X509Certificate> roots(&root, 1);
  EXPECT_TRUE(VerifyCertificateChain(signer, {}, roots, T("2025-07-01T00:00:00Z")).ok());
  // Before the signing certificate's notBefore (2025-05-06) and after its notAfter (2032-05-06).
  Status early = VerifyCertificateChain(signer, {}, roots, T("2025-01-01T00:00:00Z"));
  EXPECT_EQ(early.code(), StatusCode::kOutOfRange) << early.ToString();
  EXPECT_NE(early.message().find("not yet valid"), std::string::npos) << early.ToString();
  Status late = VerifyCertificateChain(signer, {}, roots, T("2033-01-01T00:00:00Z"));
  EXPECT_EQ(late.code(), StatusCode::kOutOfRange) << late.ToString();
  EXPECT_NE(late.message().find("expired"), std::string::npos);
}

TEST(X509CertificateTest, GeneratedThreeLevelChain) {
  auto root_key = EcKey::Generate(EcCurve::kP256).value();
  auto ca_key = EcKey::Generate(EcCurve::kP256).value();
  auto leaf_key = EcKey::Generate(EcCurve::kP384).value();
  const int64_t y2020 = T("2020-01-01T00:00:00Z"), y2030 = T("2030-01-01T00:00:00Z");
  auto root = testing::MakeCertificate("Test Root", root_key, nullptr, root_key, y2020, y2030, 1, true);
  auto ca = testing::MakeCertificate("Test CA", ca_key, &root, root_key, y2020, y2030, 2, true);
  auto leaf = testing::MakeCertificate("Test Leaf", leaf_key, &ca, ca_key, T("2022-01-01T00:00:00Z"),
                                       T("2024-01-01T00:00:00Z"), 3, false);
  std::span<const X509Certificate> roots(&root, 1);
  std::span<const X509Certificate> intermediates(&ca, 1);
  EXPECT_TRUE(VerifyCertificateChain(leaf, intermediates, roots, T("2023-01-01T00:00:00Z")).ok());
  EXPECT_EQ(VerifyCertificateChain(leaf, intermediates, roots, T("2025-01-01T00:00:00Z")).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(VerifyCertificateChain(leaf, intermediates, roots, T("2021-01-01T00:00:00Z")).code(), StatusCode::kOutOfRange);
  // Missing intermediate: no path.
  Status no_path = VerifyCertificateChain(leaf, {}, roots, T("2023-01-01T00:00:00Z"));
  EXPECT_EQ(no_path.code(), StatusCode::kPermissionDenied) << no_path.ToString();
  // A different root with the same name (an impostor) is not the pinned one.
  auto impostor_key = EcKey::Generate(EcCurve::kP256).value();
  auto impostor = testing::MakeCertificate("Test Root", impostor_key, nullptr, impostor_key, y2020, y2030, 1, true);
  std::span<const X509Certificate> wrong_roots(&impostor, 1);
  EXPECT_EQ(VerifyCertificateChain(leaf, intermediates, wrong_roots, T("2023-01-01T00:00:00Z")).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(VerifyCertificateChain(leaf, intermediates, {}, T("2023-01-01T00:00:00Z")).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(leaf.VerifySignedBy(ca_key).ok());
  EXPECT_EQ(leaf.VerifySignedBy(root_key).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(leaf.SerialNumber(), std::vector<uint8_t>{3});
  // PEM round trip through a bundle.
  std::string bundle = leaf.Pem().value() + "\n" + ca.Pem().value();
  auto parsed = ParsePemCertificateChain(bundle);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[1].Der(), ca.Der());
  EXPECT_EQ(ParsePemCertificateChain(bundle, 1).status().code(), StatusCode::kResourceExhausted);
}

TEST(X509CertificateTest, RefusesMalformedInput) {
  EXPECT_EQ(X509Certificate::FromDer(std::vector<uint8_t>{0x30, 0x03, 0x02, 0x01, 0x01}).status().code(),
            StatusCode::kInvalidArgument);
  auto der = IntelRoot().Der();
  der.push_back(0);
  EXPECT_EQ(X509Certificate::FromDer(der).status().code(), StatusCode::kInvalidArgument);
  der.resize(der.size() - 20);
  EXPECT_EQ(X509Certificate::FromDer(der).status().code(), StatusCode::kInvalidArgument);
  std::string pem = IntelRoot().Pem().value();
  EXPECT_EQ(ParsePemCertificateChain("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePemCertificateChain("junk\n" + pem).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePemCertificateChain(pem + "junk").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePemCertificateChain(pem.substr(0, pem.size() - 30)).status().code(), StatusCode::kInvalidArgument);
  std::string corrupted = pem;
  corrupted[100] = '*';  // not base64
  EXPECT_EQ(ParsePemCertificateChain(corrupted).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(X509Certificate::FromPem(pem + pem).status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace s3ml::crypto
