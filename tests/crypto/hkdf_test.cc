#include "crypto/hkdf.h"

#include <gtest/gtest.h>

#include "core/byte_reader.h"
#include "core/hex.h"

namespace s3ml::crypto {
namespace {

TEST(HkdfTest, Rfc5869TestCase1) {
  std::vector<uint8_t> ikm(22, 0x0b);
  auto salt = HexDecode("000102030405060708090a0b0c").value();
  auto info = HexDecode("f0f1f2f3f4f5f6f7f8f9").value();
  auto okm = HkdfSha256(ikm, salt, info, 42);
  ASSERT_TRUE(okm.ok()) << okm.status().ToString();
  EXPECT_EQ(HexEncode(okm->span()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(HkdfTest, DifferentInfoGivesDifferentKeys) {
  std::vector<uint8_t> secret(32, 7);
  auto a = HkdfSha256(secret, {}, AsBytes("seal:mrenclave"), 32);
  auto b = HkdfSha256(secret, {}, AsBytes("seal:mrsigner"), 32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->Equals(b->span()));
}

TEST(HkdfTest, RefusesBadArguments) {
  std::vector<uint8_t> secret(32, 7);
  EXPECT_EQ(HkdfSha256({}, {}, {}, 32).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HkdfSha256(secret, {}, {}, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HkdfSha256(secret, {}, {}, 255 * 32 + 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(HkdfSha256(secret, {}, {}, 255 * 32).ok());
}

}  // namespace
}  // namespace s3ml::crypto
