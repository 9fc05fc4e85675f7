#include "apps/s3ml-epcd/sgx_bpf_object.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "apps/s3ml-epcd/kernel_symbols.h"
#include "apps/s3ml-epcd/sgx_epc_source.h"
#include "tests/apps/epcd/temp_dir.h"

namespace s3ml::epcd {
namespace {

TEST(SgxBpfObjectTest, BuiltObjectOpensWithBothKprobes) {
  auto object = SgxBpfObject::Open(EPCD_BPF_OBJECT);
  ASSERT_TRUE(object.ok()) << object.status().ToString();
  const std::vector<BpfProgramInfo> programs = (*object)->programs();
  ASSERT_EQ(programs.size(), 2u);
  EXPECT_EQ(programs[0].name, "count_ewb");
  EXPECT_EQ(programs[0].section, "kprobe/sgx_encl_ewb");
  EXPECT_EQ(programs[1].name, "count_eldu");
  EXPECT_EQ(programs[1].section, "kprobe/sgx_encl_eldu");
  // Nothing is loaded by opening.
  EXPECT_EQ((*object)->ReadCounts().status().code(), StatusCode::kFailedPrecondition);
}

TEST(SgxBpfObjectTest, WrongFilesAreRefused) {
  testing::TempDir dir;
  EXPECT_EQ(SgxBpfObject::Open(dir.path() + "/missing.o").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(SgxBpfObject::Open(dir.Write("text.o", "not an ELF file")).status().code(),
            StatusCode::kInvalidArgument);
  // A valid ELF object that is not BPF: this test binary.
  EXPECT_EQ(SgxBpfObject::Open("/proc/self/exe").status().code(), StatusCode::kInvalidArgument);
}

// Loading needs root and attaching needs the SGX driver. As root on a kernel without SGX, the
// programs are attached to a stand-in function (getpid's syscall entry) to check that loading,
// attaching and reading the per-CPU counters work end to end.
TEST(SgxBpfObjectTest, LoadAttachAndCountOnAStandInFunction) {
  if (geteuid() != 0) GTEST_SKIP() << "loading BPF kprobes needs root (and SGX for the real symbols)";
  auto symbols = RequireKernelSymbols("/proc/kallsyms", {"__x64_sys_getpid", "__x64_sys_getppid"});
  if (!symbols.ok()) GTEST_SKIP() << "no getpid syscall symbols to stand in: " << symbols.status().message();
  auto object = SgxBpfObject::Open(EPCD_BPF_OBJECT);
  ASSERT_TRUE(object.ok()) << object.status().ToString();
  const Status attached = (*object)->LoadAndAttach(symbols->at("__x64_sys_getpid"), symbols->at("__x64_sys_getppid"));
  if (attached.code() == StatusCode::kPermissionDenied) GTEST_SKIP() << attached.message();
  if (!KernelHasKprobes()) {
    // Loading worked (root); attaching cannot on this kernel. The error must say why.
    EXPECT_EQ(attached.code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(attached.message().find("CONFIG_KPROBES is off"), std::string::npos) << attached.message();
    GTEST_SKIP() << "this kernel has no kprobes: " << attached.message();
  }
  ASSERT_TRUE(attached.ok()) << attached.ToString();
  auto before = (*object)->ReadCounts();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  for (int i = 0; i < 100; ++i) syscall(SYS_getpid);
  for (int i = 0; i < 30; ++i) syscall(SYS_getppid);
  auto after = (*object)->ReadCounts();
  ASSERT_TRUE(after.ok());
  // Other processes may call them too: at least ours were counted.
  EXPECT_GE(after->evicted - before->evicted, 100u);
  EXPECT_GE(after->loaded - before->loaded, 30u);
  EXPECT_EQ((*object)->LoadAndAttach("x", "y").code(), StatusCode::kFailedPrecondition);
}

TEST(SgxEpcSourceTest, KernelWithoutSgxDriverIsRefusedClearly) {
  testing::TempDir dir;
  SgxSourceOptions options;
  options.bpf_object_path = EPCD_BPF_OBJECT;
  options.kallsyms_path = dir.Write("kallsyms", "0 T _text\n0 T schedule\n");
  options.sysfs_node_dir = dir.path() + "/node";
  auto source = SgxEpcSource::Create(options);
  ASSERT_EQ(source.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(source.status().message().find("sgx_encl_ewb not found"), std::string::npos);
  EXPECT_NE(source.status().message().find("no in-kernel SGX driver"), std::string::npos);
}

TEST(SgxEpcSourceTest, MissingEpcCapacityIsRefused) {
  testing::TempDir dir;
  SgxSourceOptions options;
  options.bpf_object_path = EPCD_BPF_OBJECT;
  options.kallsyms_path = dir.Write("kallsyms", "0 t sgx_encl_ewb\n0 t sgx_encl_eldu\n");
  options.sysfs_node_dir = dir.path() + "/node";
  dir.Write("node/node0/meminfo", "x\n");
  EXPECT_EQ(SgxEpcSource::Create(options).status().code(), StatusCode::kNotFound);
}

TEST(SgxEpcSourceTest, FakeSgxMachineFailsOnlyAtLoadOrAttach) {
  // Symbols and capacity present (fakes), real object: what remains is the kernel's part, which
  // fails here (no privileges, or no such functions to probe in this kernel).
  if (RequireKernelSymbols("/proc/kallsyms", {kEwbSymbol}).ok()) GTEST_SKIP() << "this kernel has SGX";
  testing::TempDir dir;
  SgxSourceOptions options;
  options.bpf_object_path = EPCD_BPF_OBJECT;
  options.kallsyms_path = dir.Write("kallsyms", "0 t sgx_encl_ewb\n0 t sgx_encl_eldu\n");
  options.sysfs_node_dir = dir.path() + "/node";
  dir.Write("node/node0/x86/sgx_total_bytes", "98041856\n");
  auto source = SgxEpcSource::Create(options);
  ASSERT_FALSE(source.ok());
  if (geteuid() == 0) {
    EXPECT_EQ(source.status().code(), StatusCode::kFailedPrecondition) << source.status().ToString();
    EXPECT_NE(source.status().message().find("kprobe on sgx_encl_ewb"), std::string::npos);
  } else {
    EXPECT_EQ(source.status().code(), StatusCode::kPermissionDenied) << source.status().ToString();
  }
}

}  // namespace
}  // namespace s3ml::epcd
