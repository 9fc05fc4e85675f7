#include "core/time_format.h"

#include <gtest/gtest.h>

namespace s3ml {
namespace {

TEST(TimeFormatTest, ParsesCollateralTimestamps) {
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339("2025-06-19T10:56:11Z"), 1750330571);
  EXPECT_EQ(*ParseRfc3339("2025-06-19T10:56:11.123Z"), 1750330571);
  EXPECT_EQ(*ParseRfc3339("2025-06-19T12:56:11+02:00"), 1750330571);
  EXPECT_EQ(*ParseRfc3339("2024-02-29T00:00:00Z"), 1709164800);
}

TEST(TimeFormatTest, RefusesMalformedTimes) {
  for (const char* bad : {"", "2025-06-19", "2025-06-19T10:56:11", "2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z",
                          "2025-06-19T24:00:00Z", "2025-06-19T10:56:11Zjunk", "2025-06-19T10:56:11.Z",
                          "20x5-06-19T10:56:11Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).ok()) << bad;
  }
}

TEST(TimeFormatTest, FormatRoundTrips) {
  EXPECT_EQ(FormatRfc3339(1750330571), "2025-06-19T10:56:11Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(*ParseRfc3339(FormatRfc3339(4102444800)), 4102444800);
}

}  // namespace
}  // namespace s3ml
