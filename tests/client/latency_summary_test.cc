#include "client/latency_summary.h"

#include <gtest/gtest.h>

namespace s3ml::client {
namespace {

TEST(LatencySummaryTest, OddAndEvenCounts) {
  LatencySummary odd = Summarize({5.0, 1.0, 3.0});
  EXPECT_DOUBLE_EQ(odd.min, 1.0);
  EXPECT_DOUBLE_EQ(odd.median, 3.0);
  EXPECT_DOUBLE_EQ(odd.max, 5.0);
  LatencySummary even = Summarize({4.0, 1.0, 2.0, 10.0});
  EXPECT_DOUBLE_EQ(even.median, 3.0);
  EXPECT_DOUBLE_EQ(even.max, 10.0);
}

TEST(LatencySummaryTest, EmptyIsZero) {
  LatencySummary empty = Summarize({});
  EXPECT_EQ(empty.min, 0.0);
  EXPECT_EQ(empty.median, 0.0);
  EXPECT_EQ(empty.max, 0.0);
}

}  // namespace
}  // namespace s3ml::client
