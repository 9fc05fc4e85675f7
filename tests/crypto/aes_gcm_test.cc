#include "crypto/aes_gcm.h"

#include <gtest/gtest.h>

#include "core/byte_reader.h"
#include "core/hex.h"

namespace s3ml::crypto {
namespace {

std::vector<uint8_t> Key(uint8_t fill) { return std::vector<uint8_t>(32, fill); }

TEST(AesGcmTest, KnownAnswerFromGcmSpecTestCase14) {
  auto gcm = Aes256Gcm::Create(Key(0));
  ASSERT_TRUE(gcm.ok());
  std::vector<uint8_t> nonce(12, 0), plain(16, 0);
  auto sealed = gcm->SealWithNonce(nonce, plain, {});
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(HexEncode(sealed.value()),
            "000000000000000000000000" "cea7403d4d606b6e074ec5d3baf39d18" "d0d1c8a799996bf0265b98b5d48ab919");
}

TEST(AesGcmTest, RoundTripWithAad) {
  auto gcm = Aes256Gcm::Create(Key(1));
  ASSERT_TRUE(gcm.ok());
  auto sealed = gcm->Seal(AsBytes("model weights"), AsBytes("resnet:3"));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), 13 + Aes256Gcm::kOverhead);
  auto opened = gcm->Open(sealed.value(), AsBytes("resnet:3"));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE(opened->Equals(AsBytes("model weights")));
}

TEST(AesGcmTest, FreshNonceEachSeal) {
  auto gcm = Aes256Gcm::Create(Key(1));
  auto a = gcm->Seal(AsBytes("x"), {});
  auto b = gcm->Seal(AsBytes("x"), {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a.value(), b.value());
}

TEST(AesGcmTest, EveryTamperedByteIsRejected) {
  auto gcm = Aes256Gcm::Create(Key(2));
  auto sealed = gcm->Seal(AsBytes("secret"), AsBytes("aad"));
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size(); ++i) {
    auto copy = sealed.value();
    copy[i] ^= 0x01;
    auto opened = gcm->Open(copy, AsBytes("aad"));
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(opened.status().message().find("authentication failed"), std::string::npos);
  }
}

TEST(AesGcmTest, WrongKeyAndWrongAadAreRejected) {
  auto gcm = Aes256Gcm::Create(Key(3));
  auto other = Aes256Gcm::Create(Key(4));
  auto sealed = gcm->Seal(AsBytes("secret"), AsBytes("aad"));
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(other->Open(sealed.value(), AsBytes("aad")).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(gcm->Open(sealed.value(), AsBytes("aae")).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(gcm->Open(sealed.value(), {}).status().code(), StatusCode::kDataLoss);
}

TEST(AesGcmTest, MalformedInputs) {
  EXPECT_EQ(Aes256Gcm::Create(std::vector<uint8_t>(16, 0)).status().code(), StatusCode::kInvalidArgument);
  auto gcm = Aes256Gcm::Create(Key(5));
  auto truncated = gcm->Open(std::vector<uint8_t>(27, 0), {});
  EXPECT_EQ(truncated.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(truncated.status().message().find("truncated"), std::string::npos);
  EXPECT_EQ(gcm->SealWithNonce(std::vector<uint8_t>(8, 0), AsBytes("x"), {}).status().code(),
            StatusCode::kInvalidArgument);
  // Empty plaintext is fine and still authenticated.
  auto sealed = gcm->Seal({}, AsBytes("a"));
  ASSERT_TRUE(sealed.ok());
  EXPECT_TRUE(gcm->Open(sealed.value(), AsBytes("a")).ok());
  EXPECT_FALSE(gcm->Open(sealed.value(), AsBytes("b")).ok());
}

}  // namespace
}  // namespace s3ml::crypto
