#include "apps/s3ml-epcd/kernel_symbols.h"

#include <gtest/gtest.h>

#include "apps/s3ml-epcd/sgx_bpf_object.h"
#include "tests/apps/epcd/temp_dir.h"

namespace s3ml::epcd {
namespace {

// The shape of /proc/kallsyms, as root sees it (unprivileged readers get zero addresses).
constexpr char kWithSgx[] =
    "ffffffff81000000 T _text\n"
    "ffffffff8104a1c0 t sgx_encl_ewb\n"
    "ffffffff8104a5e0 t sgx_encl_eldu.isra.0\n"
    "ffffffff8104a900 T sgx_encl_eldu_helper_not_a_clone\n"
    "ffffffffc0a01000 t some_module_fn\t[kvm]\n";

constexpr char kWithoutSgx[] =
    "0000000000000000 T _text\n"
    "0000000000000000 t sgx_encl_ewbx\n"  // not the symbol, not a clone
    "0000000000000000 T schedule\n";

TEST(KernelSymbolsTest, FindsExactNamesAndClones) {
  auto found = FindKernelSymbols(kWithSgx, {kEwbSymbol, kElduSymbol, "some_module_fn", "absent"});
  EXPECT_EQ(found.at(kEwbSymbol), "sgx_encl_ewb");
  EXPECT_EQ(found.at(kElduSymbol), "sgx_encl_eldu.isra.0");
  EXPECT_EQ(found.at("some_module_fn"), "some_module_fn");
  EXPECT_EQ(found.count("absent"), 0u);
}

TEST(KernelSymbolsTest, ExactNameWinsOverAnEarlierClone) {
  auto found = FindKernelSymbols("0 t sgx_encl_ewb.constprop.0\n0 t sgx_encl_ewb\n", {kEwbSymbol});
  EXPECT_EQ(found.at(kEwbSymbol), "sgx_encl_ewb");
}

TEST(KernelSymbolsTest, MalformedLinesAreSkipped) {
  const char text[] =
      "sgx_encl_ewb\n"                  // one field
      "0 sgx_encl_ewb\n"                // two fields
      "zzzz t sgx_encl_ewb\n"           // address not hex
      "0 tt sgx_encl_ewb\n"             // type not one character
      "\n   \n"
      "0 t sgx_encl_eldu";              // no final newline: still read
  auto found = FindKernelSymbols(text, {kEwbSymbol, kElduSymbol});
  EXPECT_EQ(found.count(kEwbSymbol), 0u);
  EXPECT_EQ(found.at(kElduSymbol), "sgx_encl_eldu");
}

TEST(KernelSymbolsTest, RequireNamesTheMissingSymbolAndTheReason) {
  testing::TempDir dir;
  const std::string path = dir.Write("kallsyms", kWithoutSgx);
  auto result = RequireKernelSymbols(path, {kEwbSymbol, kElduSymbol});
  ASSERT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status().message().find("sgx_encl_ewb not found in " + path +
                                           ": this kernel has no in-kernel SGX driver"),
            std::string::npos)
      << result.status().message();

  const std::string good = dir.Write("kallsyms-sgx", kWithSgx);
  auto ok = RequireKernelSymbols(good, {kEwbSymbol, kElduSymbol});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->at(kElduSymbol), "sgx_encl_eldu.isra.0");
}

TEST(KernelSymbolsTest, MissingFileIsNotFound) {
  testing::TempDir dir;
  EXPECT_EQ(RequireKernelSymbols(dir.path() + "/nope", {kEwbSymbol}).status().code(), StatusCode::kNotFound);
}

TEST(KernelSymbolsTest, ThisMachinesKallsymsParses) {
  // Every Linux kernel has `schedule`; this checks the parser against the real file's layout.
  auto found = RequireKernelSymbols("/proc/kallsyms", {"schedule"});
  if (found.status().code() == StatusCode::kNotFound) GTEST_SKIP() << "no /proc/kallsyms here";
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->at("schedule"), "schedule");
}

}  // namespace
}  // namespace s3ml::epcd
