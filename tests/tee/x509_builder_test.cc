#include "crypto/x509_builder.h"

#include <gtest/gtest.h>

#include "crypto/certificate_chain.h"

namespace s3ml::crypto {
namespace {

constexpr int64_t kNow = 1767225600;

EcKey NewKey() { return EcKey::Generate(EcCurve::kP256).value(); }

TEST(X509BuilderTest, BuildsACaAndALeafThatVerify) {
  EcKey ca_key = NewKey(), leaf_key = NewKey();
  auto ca = X509Builder()
                .SetSubject({{"CN", "Test Root"}, {"O", "s3ml"}})
                .SetValidity(kNow - 10, kNow + 1000)
                .SetPublicKey(ca_key)
                .SetBasicConstraints(true, 1)
                .SetKeyUsage(kKeyUsageKeyCertSign | kKeyUsageCrlSign)
                .Build(ca_key);
  ASSERT_TRUE(ca.ok()) << ca.status().ToString();
  EXPECT_EQ(ca->SubjectCommonName(), "Test Root");
  EXPECT_TRUE(ca->VerifySignedBy(ca_key).ok());

  auto leaf = X509Builder()
                  .SetSubject({{"CN", "leaf.example"}})
                  .SetIssuer(ca.value())
                  .SetSerialNumber({0x01, 0x02, 0x03})
                  .SetValidity(kNow - 10, kNow + 500)
                  .SetPublicKey(leaf_key)
                  .SetBasicConstraints(false)
                  .SetKeyUsage(kKeyUsageDigitalSignature)
                  .AddSubjectAltNameDns("leaf.example")
                  .AddSubjectAltNameIp("127.0.0.1")
                  .AddExtension("1.2.3.4.5", {0x04, 0x02, 0xab, 0xcd})
                  .Build(ca_key);
  ASSERT_TRUE(leaf.ok()) << leaf.status().ToString();
  EXPECT_EQ(leaf->IssuerName(), ca->SubjectName());
  EXPECT_EQ(leaf->SerialNumber(), (std::vector<uint8_t>{0x01, 0x02, 0x03}));
  EXPECT_EQ(leaf->NotBefore().value(), kNow - 10);
  EXPECT_EQ(leaf->NotAfter().value(), kNow + 500);
  auto ext = leaf->ExtensionValue("1.2.3.4.5");
  ASSERT_TRUE(ext.ok() && ext->has_value());
  EXPECT_EQ(**ext, (std::vector<uint8_t>{0x04, 0x02, 0xab, 0xcd}));
  auto san = leaf->ExtensionValue("2.5.29.17");
  ASSERT_TRUE(san.ok() && san->has_value());

  EXPECT_TRUE(VerifyCertificateChain(leaf.value(), {}, std::span<const X509Certificate>(&ca.value(), 1), kNow).ok());
  EXPECT_FALSE(
      VerifyCertificateChain(leaf.value(), {}, std::span<const X509Certificate>(&ca.value(), 1), kNow + 600).ok());
}

TEST(X509BuilderTest, LeafSignedByAnotherKeyDoesNotVerify) {
  EcKey ca_key = NewKey(), other = NewKey();
  auto ca = X509Builder()
                .SetSubject({{"CN", "Root"}})
                .SetValidity(kNow, kNow + 100)
                .SetPublicKey(ca_key)
                .SetBasicConstraints(true)
                .SetKeyUsage(kKeyUsageKeyCertSign)
                .Build(ca_key)
                .value();
  auto leaf = X509Builder()
                  .SetSubject({{"CN", "Leaf"}})
                  .SetIssuer(ca)
                  .SetValidity(kNow, kNow + 100)
                  .SetPublicKey(other)
                  .Build(other)
                  .value();
  EXPECT_FALSE(leaf.VerifySignedBy(ca_key).ok());
  EXPECT_FALSE(VerifyCertificateChain(leaf, {}, std::span<const X509Certificate>(&ca, 1), kNow + 1).ok());
}

TEST(X509BuilderTest, RefusesIncompleteOrInvalidInput) {
  EcKey key = NewKey();
  auto no_key = X509Builder().SetSubject({{"CN", "x"}}).SetValidity(kNow, kNow + 1).Build(key);
  EXPECT_EQ(no_key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_key.status().message().find("public key"), std::string::npos);

  auto no_validity = X509Builder().SetSubject({{"CN", "x"}}).SetPublicKey(key).Build(key);
  EXPECT_NE(no_validity.status().message().find("validity"), std::string::npos);

  auto backwards = X509Builder().SetSubject({{"CN", "x"}}).SetPublicKey(key).SetValidity(kNow, kNow - 1).Build(key);
  EXPECT_NE(backwards.status().message().find("notAfter"), std::string::npos);

  auto bad_attr = X509Builder().SetSubject({{"NOPE", "x"}}).SetPublicKey(key).SetValidity(kNow, kNow + 1).Build(key);
  EXPECT_EQ(bad_attr.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_attr.status().message().find("NOPE"), std::string::npos);

  auto empty_name = X509Builder().SetPublicKey(key).SetValidity(kNow, kNow + 1).Build(key);
  EXPECT_EQ(empty_name.status().code(), StatusCode::kInvalidArgument);

  auto bad_oid = X509Builder()
                     .SetSubject({{"CN", "x"}})
                     .SetPublicKey(key)
                     .SetValidity(kNow, kNow + 1)
                     .AddExtension("not.an.oid", {0x05, 0x00})
                     .Build(key);
  EXPECT_EQ(bad_oid.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_oid.status().message().find("not.an.oid"), std::string::npos);

  auto bad_san = X509Builder()
                     .SetSubject({{"CN", "x"}})
                     .SetPublicKey(key)
                     .SetValidity(kNow, kNow + 1)
                     .AddSubjectAltNameDns("a,DNS:evil")
                     .Build(key);
  EXPECT_EQ(bad_san.status().code(), StatusCode::kInvalidArgument);

  auto public_only = key.PublicKey().value();
  auto no_private =
      X509Builder().SetSubject({{"CN", "x"}}).SetPublicKey(key).SetValidity(kNow, kNow + 1).Build(public_only);
  EXPECT_EQ(no_private.status().code(), StatusCode::kInvalidArgument);
}

TEST(X509BuilderTest, RandomSerialsDiffer) {
  EcKey key = NewKey();
  X509Builder b;
  b.SetSubject({{"CN", "x"}}).SetPublicKey(key).SetValidity(kNow, kNow + 1);
  auto a = b.Build(key).value(), c = b.Build(key).value();
  EXPECT_EQ(a.SerialNumber().size(), 16u);
  EXPECT_NE(a.SerialNumber(), c.SerialNumber());
}

}  // namespace
}  // namespace s3ml::crypto
