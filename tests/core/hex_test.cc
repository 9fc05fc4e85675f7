#include "core/hex.h"

#include <gtest/gtest.h>

namespace s3ml {
namespace {

TEST(HexTest, RoundTripsAndAcceptsUpperCase) {
  const std::vector<uint8_t> bytes = {0x00, 0xa0, 0x67, 0x11, 0xff};
  EXPECT_EQ(HexEncode(bytes), "00a06711ff");
  EXPECT_EQ(*HexDecode("00A06711FF"), bytes);
  EXPECT_TRUE(HexDecode("")->empty());
}

TEST(HexTest, RefusesOddLengthAndNonHex) {
  EXPECT_EQ(HexDecode("abc").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HexDecode("zz").status().message(), "non-hex character at position 0");
}

}  // namespace
}  // namespace s3ml
