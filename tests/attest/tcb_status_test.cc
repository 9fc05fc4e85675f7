#include "attest/tcb_status.h"

#include <gtest/gtest.h>

namespace s3ml::attest {
namespace {

TEST(TcbStatusTest, NamesRoundTrip) {
  for (auto s : {TcbStatus::kUpToDate, TcbStatus::kSwHardeningNeeded, TcbStatus::kConfigurationNeeded,
                 TcbStatus::kConfigurationAndSwHardeningNeeded, TcbStatus::kOutOfDate,
                 TcbStatus::kOutOfDateConfigurationNeeded, TcbStatus::kRevoked}) {
    EXPECT_EQ(ParseTcbStatus(TcbStatusName(s)).value(), s);
  }
  EXPECT_EQ(TcbStatusName(TcbStatus::kConfigurationAndSwHardeningNeeded), "ConfigurationAndSWHardeningNeeded");
  EXPECT_EQ(ParseTcbStatus("uptodate").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTcbStatus("").status().code(), StatusCode::kInvalidArgument);
}

TEST(TcbStatusTest, MergeFollowsQvl) {
  using S = TcbStatus;
  EXPECT_EQ(MergeTcbStatus(S::kConfigurationAndSwHardeningNeeded, S::kUpToDate), S::kConfigurationAndSwHardeningNeeded);
  EXPECT_EQ(MergeTcbStatus(S::kUpToDate, S::kOutOfDate), S::kOutOfDate);
  EXPECT_EQ(MergeTcbStatus(S::kSwHardeningNeeded, S::kOutOfDate), S::kOutOfDate);
  EXPECT_EQ(MergeTcbStatus(S::kConfigurationNeeded, S::kOutOfDate), S::kOutOfDateConfigurationNeeded);
  EXPECT_EQ(MergeTcbStatus(S::kConfigurationAndSwHardeningNeeded, S::kOutOfDate), S::kOutOfDateConfigurationNeeded);
  EXPECT_EQ(MergeTcbStatus(S::kOutOfDate, S::kOutOfDate), S::kOutOfDate);
  EXPECT_EQ(MergeTcbStatus(S::kUpToDate, S::kRevoked), S::kRevoked);
  EXPECT_EQ(MergeTcbStatus(S::kRevoked, S::kUpToDate), S::kRevoked);
  EXPECT_EQ(MergeTcbStatus(S::kOutOfDate, S::kUpToDate), S::kOutOfDate);
}

}  // namespace
}  // namespace s3ml::attest
