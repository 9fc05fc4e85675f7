#include "apps/s3ml-epcd/sgx_sysfs.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/apps/epcd/temp_dir.h"

namespace s3ml::epcd {
namespace {

TEST(SgxSysfsTest, SumsEveryNode) {
  testing::TempDir dir;
  dir.Write("node0/x86/sgx_total_bytes", "4194304000\n");
  dir.Write("node1/x86/sgx_total_bytes", "4194304000\n");
  dir.Write("node2/meminfo", "no SGX on this node\n");  // a node without EPC
  dir.Write("nodeX/x86/sgx_total_bytes", "999\n");      // not a node directory
  dir.Write("cpu0/x86/sgx_total_bytes", "999\n");
  dir.Write("possible", "0-2\n");
  auto total = SumSgxTotalBytes(dir.path());
  ASSERT_TRUE(total.ok()) << total.status().ToString();
  EXPECT_EQ(*total, 8388608000u);
}

TEST(SgxSysfsTest, NoNodeWithEpcIsNotFound) {
  testing::TempDir dir;
  dir.Write("node0/meminfo", "x\n");
  auto total = SumSgxTotalBytes(dir.path());
  EXPECT_EQ(total.status().code(), StatusCode::kNotFound);
  EXPECT_NE(total.status().message().find("SGX is not enabled"), std::string::npos);
  EXPECT_EQ(SumSgxTotalBytes(dir.path() + "/missing").status().code(), StatusCode::kNotFound);
}

TEST(SgxSysfsTest, MalformedCountsAreDataLossNamingTheFile) {
  for (const char* bad : {"", "abc\n", "12 34\n", "-5\n", "99999999999999999999999\n"}) {
    testing::TempDir dir;
    const std::string file = dir.Write("node0/x86/sgx_total_bytes", bad);
    auto total = SumSgxTotalBytes(dir.path());
    EXPECT_EQ(total.status().code(), StatusCode::kDataLoss) << "content \"" << bad << "\"";
    EXPECT_NE(total.status().message().find(file), std::string::npos) << total.status().message();
  }
}

TEST(SgxSysfsTest, OverflowingSumIsRefused) {
  testing::TempDir dir;
  dir.Write("node0/x86/sgx_total_bytes", "18446744073709551615\n");
  dir.Write("node1/x86/sgx_total_bytes", "1\n");
  EXPECT_EQ(SumSgxTotalBytes(dir.path()).status().code(), StatusCode::kDataLoss);
}

TEST(SgxSysfsTest, ThisMachine) {
  auto total = SumSgxTotalBytes();
  if (!total.ok()) GTEST_SKIP() << "no SGX EPC on this machine: " << total.status().message();
  EXPECT_GT(*total, 0u);
}

}  // namespace
}  // namespace s3ml::epcd
