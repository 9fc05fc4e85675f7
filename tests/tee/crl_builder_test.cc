#include "crypto/crl_builder.h"

#include <gtest/gtest.h>

#include "crypto/x509_builder.h"

namespace s3ml::crypto {
namespace {

constexpr int64_t kNow = 1767225600;

struct Ca {
  EcKey key = EcKey::Generate(EcCurve::kP256).value();
  X509Certificate cert = X509Builder()
                             .SetSubject({{"CN", "CRL Test CA"}})
                             .SetValidity(kNow - 100, kNow + 100000)
                             .SetPublicKey(key)
                             .SetBasicConstraints(true)
                             .SetKeyUsage(kKeyUsageKeyCertSign | kKeyUsageCrlSign)
                             .Build(key)
                             .value();
};

X509Certificate Leaf(const Ca& ca, std::vector<uint8_t> serial) {
  EcKey k = EcKey::Generate(EcCurve::kP256).value();
  return X509Builder()
      .SetSubject({{"CN", "leaf"}})
      .SetIssuer(ca.cert)
      .SetSerialNumber(std::move(serial))
      .SetValidity(kNow, kNow + 100)
      .SetPublicKey(k)
      .Build(ca.key)
      .value();
}

TEST(CrlBuilderTest, RevokesListedSerialsOnly) {
  Ca ca;
  X509Certificate revoked = Leaf(ca, {0x11, 0x22}), fine = Leaf(ca, {0x33});
  auto crl = CrlBuilder()
                 .SetIssuer(ca.cert)
                 .SetUpdateTimes(kNow, kNow + 3600)
                 .SetCrlNumber(7)
                 .AddRevoked({0x11, 0x22}, kNow - 5)
                 .Build(ca.key);
  ASSERT_TRUE(crl.ok()) << crl.status().ToString();
  EXPECT_TRUE(crl->IssuedBy(ca.cert));
  EXPECT_TRUE(crl->VerifySignedBy(ca.key).ok());
  EXPECT_EQ(crl->RevokedCount(), 1u);
  EXPECT_TRUE(crl->IsRevoked(revoked));
  EXPECT_FALSE(crl->IsRevoked(fine));
  EXPECT_EQ(crl->ThisUpdate().value(), kNow);
  EXPECT_EQ(*crl->NextUpdate().value(), kNow + 3600);
  EXPECT_TRUE(crl->CheckCurrentAt(kNow + 10).ok());
  EXPECT_EQ(crl->CheckCurrentAt(kNow + 3601).code(), StatusCode::kOutOfRange);
  // Round trip through DER keeps everything.
  auto again = X509Crl::FromDer(crl->Der());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->IsRevoked(revoked));
}

TEST(CrlBuilderTest, SignatureByAnotherKeyDoesNotVerify) {
  Ca ca, other;
  auto crl = CrlBuilder().SetIssuer(ca.cert).SetUpdateTimes(kNow, kNow + 10).Build(other.key).value();
  EXPECT_EQ(crl.VerifySignedBy(ca.key).code(), StatusCode::kPermissionDenied);
}

TEST(CrlBuilderTest, RefusesIncompleteInput) {
  Ca ca;
  EXPECT_EQ(CrlBuilder().SetUpdateTimes(kNow, kNow + 1).Build(ca.key).status().code(), StatusCode::kInvalidArgument);
  auto no_times = CrlBuilder().SetIssuer(ca.cert).Build(ca.key);
  EXPECT_NE(no_times.status().message().find("nextUpdate"), std::string::npos);
  auto backwards = CrlBuilder().SetIssuer(ca.cert).SetUpdateTimes(kNow, kNow - 1).Build(ca.key);
  EXPECT_EQ(backwards.status().code(), StatusCode::kInvalidArgument);
  auto empty_serial = CrlBuilder().SetIssuer(ca.cert).SetUpdateTimes(kNow, kNow + 1).AddRevoked({}, kNow).Build(ca.key);
  EXPECT_EQ(empty_serial.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace s3ml::crypto
