#include "crypto/ec_key.h"

#include <gtest/gtest.h>

#include <string>

#include "core/byte_reader.h"
#include "crypto/ecdsa_signature.h"

namespace s3ml::crypto {
namespace {

class EcKeyTest : public ::testing::TestWithParam<EcCurve> {};

TEST_P(EcKeyTest, SignVerifyDerAndRaw) {
  auto key = EcKey::Generate(GetParam());
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->has_private_key());
  auto message = AsBytes("quote body");
  auto der = key->SignDer(message);
  auto raw = key->SignRaw(message);
  ASSERT_TRUE(der.ok() && raw.ok());
  EXPECT_EQ(raw->size(), 2 * EcFieldSize(GetParam()));
  EXPECT_TRUE(key->VerifyDer(message, der.value()).ok());
  EXPECT_TRUE(key->VerifyRaw(message, raw.value()).ok());
  // Raw and DER are the same signature in two encodings.
  auto converted = EcdsaDerToRaw(der.value(), EcFieldSize(GetParam()));
  ASSERT_TRUE(converted.ok());
  auto back = EcdsaRawToDer(converted.value());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), der.value());
  EXPECT_TRUE(key->VerifyRaw(message, converted.value()).ok());

  auto other_message = AsBytes("quote bodz");
  EXPECT_EQ(key->VerifyDer(other_message, der.value()).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(key->VerifyRaw(other_message, raw.value()).code(), StatusCode::kPermissionDenied);
  auto flipped = raw.value();
  flipped[5] ^= 0x40;
  EXPECT_FALSE(key->VerifyRaw(message, flipped).ok());
  EXPECT_EQ(key->VerifyRaw(message, std::vector<uint8_t>(raw->size() - 1, 1)).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(key->VerifyDer(message, std::vector<uint8_t>{0x30, 0x02, 0x01}).ok());
}

TEST_P(EcKeyTest, WrongKeyDoesNotVerify) {
  auto a = EcKey::Generate(GetParam());
  auto b = EcKey::Generate(GetParam());
  auto sig = a->SignRaw(AsBytes("m"));
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(b->VerifyRaw(AsBytes("m"), sig.value()).code(), StatusCode::kPermissionDenied);
}

TEST_P(EcKeyTest, PemDerAndRawRoundTrips) {
  auto key = EcKey::Generate(GetParam());
  ASSERT_TRUE(key.ok());
  auto sig = key->SignRaw(AsBytes("m"));

  auto priv_pem = key->PrivateKeyPem();
  ASSERT_TRUE(priv_pem.ok());
  std::string pem_text(reinterpret_cast<const char*>(priv_pem->data()), priv_pem->size());
  auto from_pem = EcKey::FromPrivateKeyPem(pem_text);
  ASSERT_TRUE(from_pem.ok()) << from_pem.status().ToString();
  EXPECT_TRUE(from_pem->has_private_key());
  EXPECT_EQ(from_pem->RawPublicKey().value(), key->RawPublicKey().value());

  auto priv_der = key->PrivateKeyDer();
  ASSERT_TRUE(priv_der.ok());
  auto from_der = EcKey::FromPrivateKeyDer(priv_der->span());
  ASSERT_TRUE(from_der.ok()) << from_der.status().ToString();
  EXPECT_TRUE(from_der->SignRaw(AsBytes("x")).ok());

  auto pub_pem = key->PublicKeyPem();
  ASSERT_TRUE(pub_pem.ok());
  auto pub = EcKey::FromPublicKeyPem(pub_pem.value());
  ASSERT_TRUE(pub.ok());
  EXPECT_FALSE(pub->has_private_key());
  EXPECT_TRUE(pub->VerifyRaw(AsBytes("m"), sig.value()).ok());
  EXPECT_EQ(pub->SignRaw(AsBytes("m")).status().code(), StatusCode::kFailedPrecondition);

  auto spki = key->PublicKeyDer();
  ASSERT_TRUE(spki.ok());
  EXPECT_TRUE(EcKey::FromPublicKeyDer(spki.value())->VerifyRaw(AsBytes("m"), sig.value()).ok());

  auto raw = key->RawPublicKey();
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->size(), 2 * EcFieldSize(GetParam()));
  auto from_raw = EcKey::FromRawPublicKey(GetParam(), raw.value());
  ASSERT_TRUE(from_raw.ok());
  EXPECT_EQ(from_raw->curve(), GetParam());
  EXPECT_TRUE(from_raw->VerifyRaw(AsBytes("m"), sig.value()).ok());
  EXPECT_EQ(key->PublicKey()->PublicKeyDer().value(), spki.value());
}

INSTANTIATE_TEST_SUITE_P(Curves, EcKeyTest, ::testing::Values(EcCurve::kP256, EcCurve::kP384));

TEST(EcKeyMalformedTest, RefusesBadInput) {
  EXPECT_EQ(EcKey::FromPrivateKeyPem("not a key").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EcKey::FromPublicKeyPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(EcKey::FromPublicKeyDer(std::vector<uint8_t>{0x30, 0x00}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EcKey::FromPrivateKeyDer(std::vector<uint8_t>(10, 0)).status().code(), StatusCode::kInvalidArgument);
  // Wrong length, and a point that is not on the curve.
  EXPECT_EQ(EcKey::FromRawPublicKey(EcCurve::kP256, std::vector<uint8_t>(63, 1)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(EcKey::FromRawPublicKey(EcCurve::kP256, std::vector<uint8_t>(64, 1)).status().code(),
            StatusCode::kInvalidArgument);
  // Trailing garbage after a valid SPKI.
  auto key = EcKey::Generate(EcCurve::kP256);
  auto spki = key->PublicKeyDer().value();
  spki.push_back(0);
  EXPECT_EQ(EcKey::FromPublicKeyDer(spki).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EcdsaRawToDer(std::vector<uint8_t>(63, 1)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EcdsaDerToRaw(std::vector<uint8_t>{1, 2, 3}, 32).status().code(), StatusCode::kInvalidArgument);
  // A P-384 signature's components do not fit P-256's width.
  auto big = EcKey::Generate(EcCurve::kP384)->SignDer(AsBytes("m")).value();
  auto narrowed = EcdsaDerToRaw(big, 32);
  EXPECT_FALSE(narrowed.ok());
}

}  // namespace
}  // namespace s3ml::crypto
