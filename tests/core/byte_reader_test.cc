#include "core/byte_reader.h"

#include <gtest/gtest.h>

#include <vector>

namespace s3ml {
namespace {

TEST(ByteReaderTest, ReadsLittleAndBigEndianIntegers) {
  const std::vector<uint8_t> data = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
                                     0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12};
  ByteReader r(data);
  uint8_t u8;
  uint16_t u16;
  uint32_t u32;
  uint64_t u64;
  ASSERT_TRUE(r.ReadU8(&u8));
  EXPECT_EQ(u8, 0x01);
  ASSERT_TRUE(r.ReadU16Le(&u16));
  EXPECT_EQ(u16, 0x0302);
  ASSERT_TRUE(r.ReadU32Le(&u32));
  EXPECT_EQ(u32, 0x07060504u);
  ASSERT_TRUE(r.ReadU64Le(&u64));
  EXPECT_EQ(u64, 0x0f0e0d0c0b0a0908ull);
  ASSERT_TRUE(r.ReadU16Be(&u16));
  EXPECT_EQ(u16, 0x1011);
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_FALSE(r.ReadU32Be(&u32));
  EXPECT_EQ(r.remaining(), 1u) << "a failed read must not move the cursor";
}

TEST(ByteReaderTest, RefusesReadsPastTheEnd) {
  const std::vector<uint8_t> data = {1, 2, 3};
  ByteReader r(data);
  std::span<const uint8_t> out;
  EXPECT_FALSE(r.ReadBytes(4, &out));
  EXPECT_FALSE(r.Skip(SIZE_MAX));
  EXPECT_TRUE(r.ReadBytes(3, &out));
  EXPECT_TRUE(r.empty());
  uint8_t b;
  EXPECT_FALSE(r.ReadU8(&b));
}

TEST(ByteReaderTest, LengthPrefixedReadsRewindOnShortData) {
  // Claims 5 bytes but only 2 follow.
  const std::vector<uint8_t> data = {0x05, 0x00, 0xaa, 0xbb};
  ByteReader r(data);
  std::span<const uint8_t> out;
  EXPECT_FALSE(r.ReadU16LePrefixed(&out));
  EXPECT_EQ(r.offset(), 0u);
  const std::vector<uint8_t> ok = {0x02, 0x00, 0x00, 0x00, 0xaa, 0xbb, 0xcc};
  ByteReader r2(ok);
  ASSERT_TRUE(r2.ReadU32LePrefixed(&out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1], 0xbb);
  EXPECT_EQ(r2.remaining(), 1u);
}

}  // namespace
}  // namespace s3ml
