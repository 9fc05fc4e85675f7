// Wrapping a secret for an EC P-384 public key: round trip, and every refusal (wrong key, wrong
// label, wrong curve, any altered or missing byte).
#include "crypto/key_wrap.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/byte_reader.h"
#include "crypto/random.h"

namespace s3ml::crypto {
namespace {

constexpr std::string_view kLabel = "s3ml-ecs-state-key";

class KeyWrapTest : public ::testing::Test {
 protected:
  EcKey recipient_ = EcKey::Generate(EcCurve::kP384).value();
  EcKey recipient_public_ = recipient_.PublicKey().value();
  SecretBytes secret_ = RandomSecret(32).value();
};

TEST_F(KeyWrapTest, RoundTripWithThePrivateKey) {
  auto wrapped = WrapKey(recipient_public_, kLabel, secret_.span());
  ASSERT_TRUE(wrapped.ok()) << wrapped.status().ToString();
  // The secret does not appear in the clear.
  EXPECT_EQ(std::search(wrapped->begin(), wrapped->end(), secret_.span().begin(), secret_.span().end()),
            wrapped->end());
  auto unwrapped = UnwrapKey(recipient_, kLabel, wrapped.value());
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_TRUE(unwrapped->Equals(secret_.span()));

  // The private key read back from PEM (as the recovery tool does) works too.
  auto from_pem = EcKey::FromPrivateKeyPem(std::string_view(
      reinterpret_cast<const char*>(recipient_.PrivateKeyPem()->data()), recipient_.PrivateKeyPem()->size()));
  ASSERT_TRUE(from_pem.ok());
  EXPECT_TRUE(UnwrapKey(from_pem.value(), kLabel, wrapped.value())->Equals(secret_.span()));
}

TEST_F(KeyWrapTest, EachWrapIsFreshAndHeaderNamesTheRecipient) {
  auto a = WrapKey(recipient_public_, kLabel, secret_.span()).value();
  auto b = WrapKey(recipient_public_, kLabel, secret_.span()).value();
  EXPECT_NE(a, b);  // new ephemeral key and nonce each time
  auto header = ParseKeyWrapHeader(a);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->version, kKeyWrapFormatVersion);
  EXPECT_EQ(header->recipient, KeyWrapRecipientIdOf(recipient_public_).value());
  EXPECT_EQ(header->recipient, KeyWrapRecipientIdOf(recipient_).value());  // same id from either half
  EXPECT_EQ(header->label, kLabel);
  EXPECT_EQ(header->size, 4 + 1 + 1 + 32 + 1 + kLabel.size() + 96);
  EXPECT_EQ(a.size(), header->size + 12 + 32 + 16);
}

TEST_F(KeyWrapTest, WrongPrivateKeyIsRefused) {
  auto wrapped = WrapKey(recipient_public_, kLabel, secret_.span()).value();
  EcKey other = EcKey::Generate(EcCurve::kP384).value();
  auto r = UnwrapKey(other, kLabel, wrapped);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("wrong private key"), std::string::npos) << r.status().message();
}

TEST_F(KeyWrapTest, WrongLabelIsRefused) {
  auto wrapped = WrapKey(recipient_public_, kLabel, secret_.span()).value();
  auto r = UnwrapKey(recipient_, "other-use", wrapped);
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("'s3ml-ecs-state-key', not 'other-use'"), std::string::npos)
      << r.status().message();
}

TEST_F(KeyWrapTest, WrongCurveIsRefused) {
  EcKey p256 = EcKey::Generate(EcCurve::kP256).value();
  auto wrap = WrapKey(p256.PublicKey().value(), kLabel, secret_.span());
  EXPECT_EQ(wrap.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrap.status().message().find("P-384"), std::string::npos) << wrap.status().message();
  auto wrapped = WrapKey(recipient_public_, kLabel, secret_.span()).value();
  auto unwrap = UnwrapKey(p256, kLabel, wrapped);
  EXPECT_EQ(unwrap.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unwrap.status().message().find("P-384"), std::string::npos) << unwrap.status().message();
  // A blob whose curve byte names another curve.
  wrapped[5] = 1;
  EXPECT_EQ(UnwrapKey(recipient_, kLabel, wrapped).status().code(), StatusCode::kDataLoss);
  // Unwrapping needs the private half.
  EXPECT_EQ(UnwrapKey(recipient_public_, kLabel, WrapKey(recipient_public_, kLabel, secret_.span()).value())
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST_F(KeyWrapTest, EveryAlteredByteIsRefused) {
  const auto wrapped = WrapKey(recipient_public_, kLabel, secret_.span()).value();
  const size_t recipient_offset = 6, label_length_offset = 6 + 32, label_offset = label_length_offset + 1;
  for (size_t i = 0; i < wrapped.size(); ++i) {
    auto altered = wrapped;
    altered[i] ^= 0x01;
    auto r = UnwrapKey(recipient_, kLabel, altered);
    ASSERT_FALSE(r.ok()) << "offset " << i;
    // Altering who or what the blob is for (recipient id, label and its length) reads as "not
    // for you"; anything else as damage.
    const bool names_other = (i >= recipient_offset && i < recipient_offset + 32) ||
                             (i >= label_length_offset && i < label_offset + kLabel.size());
    EXPECT_EQ(r.status().code(), names_other ? StatusCode::kPermissionDenied : StatusCode::kDataLoss)
        << "offset " << i << ": " << r.status().ToString();
  }
}

TEST_F(KeyWrapTest, TruncatedAndMalformedBlobsAreDataLoss) {
  const auto wrapped = WrapKey(recipient_public_, kLabel, secret_.span()).value();
  for (size_t n = 0; n < wrapped.size(); ++n) {
    auto r = UnwrapKey(recipient_, kLabel, std::span(wrapped).first(n));
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << "length " << n << ": " << r.status().ToString();
  }
  auto longer = wrapped;
  longer.push_back(0);
  EXPECT_EQ(UnwrapKey(recipient_, kLabel, longer).status().code(), StatusCode::kDataLoss);
  EXPECT_NE(ParseKeyWrapHeader(AsBytes("XXXX")).status().message().find("magic"), std::string::npos);
  auto version = wrapped;
  version[4] = 2;
  EXPECT_NE(ParseKeyWrapHeader(version).status().message().find("version 2"), std::string::npos);
  // An ephemeral "point" that is not on the curve.
  auto off_curve = wrapped;
  const size_t point = 4 + 1 + 1 + 32 + 1 + kLabel.size();
  std::fill(off_curve.begin() + static_cast<std::ptrdiff_t>(point),
            off_curve.begin() + static_cast<std::ptrdiff_t>(point + 96), 0x01);
  auto r = UnwrapKey(recipient_, kLabel, off_curve);
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("ephemeral"), std::string::npos) << r.status().message();
}

TEST_F(KeyWrapTest, ArgumentsAreChecked) {
  EXPECT_EQ(WrapKey(recipient_public_, "", secret_.span()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WrapKey(recipient_public_, std::string(256, 'l'), secret_.span()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(WrapKey(recipient_public_, kLabel, {}).status().code(), StatusCode::kInvalidArgument);
  std::vector<uint8_t> big(kMaxWrappedSecretSize + 1, 7);
  EXPECT_EQ(WrapKey(recipient_public_, kLabel, big).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace s3ml::crypto
