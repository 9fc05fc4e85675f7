#include "tee/epc/epc_host.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "tee/epc/enclave_memory.h"
#include "tee/epc/host_snapshot.h"
#include "tests/tee/epc/epc_test_host.h"

extern char** environ;

namespace s3ml::tee::epc {
namespace {

// Runs the helper binary with arguments and returns its exit status (waitpid form).
int RunHelper(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::string path = EPC_HELPER;
  argv.push_back(path.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv.data(), environ) != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

TEST(HostSegmentTest, HostIdsAreValidated) {
  EXPECT_EQ(HostSegmentName("node-1").value(), "/s3ml-epc-node-1");
  for (const std::string& bad : std::vector<std::string>{"", "../etc", "a/b", "..", "with space", std::string(65, 'x')}) {
    auto r = HostSegmentName(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(EpcHost::Attach("bad/host", TestHost::Options(4)).status().code(), StatusCode::kInvalidArgument);
}

TEST(EpcHostTest, CreateThenAttachKeepsTheCreatedCapacity) {
  TestHost name;
  ASSERT_TRUE(EpcHost::Create(name.id(), 77).ok());
  EXPECT_EQ(EpcHost::Create(name.id(), 77).code(), StatusCode::kAlreadyExists);
  auto host = EpcHost::Attach(name.id(), TestHost::Options(5));
  ASSERT_TRUE(host.ok()) << host.status().ToString();
  EXPECT_EQ((*host)->capacity_pages(), 77u);
  EXPECT_EQ(EpcHost::Create(name.id() + "x", 0).code(), StatusCode::kInvalidArgument);
}

TEST(EpcHostTest, DefaultCapacityIsFirstGenerationUsableEpc) {
  EXPECT_EQ(kDefaultCapacityPages * kEpcPageSize, static_cast<uint64_t>(93.5 * 1024 * 1024));
}

TEST(EpcHostTest, RemoveOfMissingHostIsNotFound) {
  TestHost name;
  EXPECT_EQ(EpcHost::Remove(name.id()).code(), StatusCode::kNotFound);
}

TEST(EpcHostTest, RefusesASegmentThatIsNotOurs) {
  TestHost name;
  const std::string shm = HostSegmentName(name.id()).value();
  int fd = shm_open(shm.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, 100), 0);
  close(fd);
  auto host = EpcHost::Attach(name.id(), TestHost::Options(4));
  EXPECT_EQ(host.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(host.status().message().find("has size 100"), std::string::npos) << host.status().ToString();
  EXPECT_EQ(ReadHostSnapshot(name.id()).status().code(), StatusCode::kDataLoss);

  // Right size, wrong magic.
  ASSERT_TRUE(EpcHost::Remove(name.id()).ok());
  fd = shm_open(shm.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, sizeof(HostSegment)), 0);
  std::vector<uint8_t> junk(sizeof(HostSegment), 0x5a);
  ASSERT_EQ(write(fd, junk.data(), junk.size()), static_cast<ssize_t>(junk.size()));
  close(fd);
  host = EpcHost::Attach(name.id(), TestHost::Options(4));
  EXPECT_EQ(host.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ReadHostSnapshot(name.id()).status().code(), StatusCode::kDataLoss);
}

TEST(HostSnapshotTest, MissingHostIsNotFound) {
  TestHost name;
  EXPECT_EQ(ReadHostSnapshot(name.id()).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ReadHostSnapshot("no/such").status().code(), StatusCode::kInvalidArgument);
}

TEST(HostSnapshotTest, ReportsHostAndPerEnclaveFigures) {
  TestHost name;
  auto host = EpcHost::Attach(name.id(), TestHost::Options(4, "model-server-a"));
  ASSERT_TRUE(host.ok());
  auto region = EnclaveMemory::Create(*host, 6 * kEpcPageSize);
  ASSERT_TRUE(region.ok());
  for (size_t p = 0; p < 6; ++p) (*region)->data()[p * kEpcPageSize] = 1;  // 2 evictions
  (*region)->data()[0] = 2;                                                 // page 0 was evicted: a load

  auto snap = ReadHostSnapshot(name.id());
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->capacity_pages, 4u);
  EXPECT_EQ(snap->resident_pages, 4u);
  EXPECT_EQ(snap->pages_evicted_total, 3u);
  EXPECT_EQ(snap->pages_loaded_total, 1u);
  ASSERT_EQ(snap->enclaves.size(), 1u);
  const EnclaveRow& row = snap->enclaves[0];
  EXPECT_EQ(row.pid, getpid());
  EXPECT_EQ(row.name, "model-server-a");
  EXPECT_TRUE(row.alive);
  EXPECT_EQ(row.resident_pages, 4u);
  EXPECT_EQ(row.pages_evicted, 3u);
  EXPECT_EQ(row.pages_loaded, 1u);
}

TEST(EpcHostTest, DeadProcessSlotsAreReclaimed) {
  TestHost name;
  ASSERT_TRUE(EpcHost::Create(name.id(), 64).ok());
  // The helper attaches, makes 20 pages resident and dies without detaching (SIGKILL).
  const int status = RunHelper({"die", name.id(), "20"});
  ASSERT_TRUE(WIFSIGNALED(status)) << status;
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  auto before = ReadHostSnapshot(name.id());
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->resident_pages, 20u);
  ASSERT_EQ(before->enclaves.size(), 1u);
  EXPECT_FALSE(before->enclaves[0].alive);
  EXPECT_EQ(before->enclaves[0].resident_pages, 20u);

  auto host = EpcHost::Attach(name.id(), TestHost::Options(64));  // attaching reclaims
  ASSERT_TRUE(host.ok());
  auto after = ReadHostSnapshot(name.id());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->resident_pages, 0u);
  ASSERT_EQ(after->enclaves.size(), 1u);
  EXPECT_EQ(after->enclaves[0].pid, getpid());
  EXPECT_EQ((*host)->ReclaimDeadSlots(), 0u);
}

TEST(EpcHostTest, SeveralProcessesOverCapacityKeepTheirData) {
  TestHost name;
  constexpr uint64_t kCapacity = 64;
  constexpr int kProcesses = 4;
  ASSERT_TRUE(EpcHost::Create(name.id(), kCapacity).ok());
  std::vector<pid_t> pids;
  for (int i = 0; i < kProcesses; ++i) {
    std::string path = EPC_HELPER;
    std::vector<std::string> args = {path, "stress", name.id(), "48", "1500", std::to_string(i + 1),
                                     std::to_string(kProcesses)};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid;
    ASSERT_EQ(posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv.data(), environ), 0);
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "helper " << pid << " status " << status;
  }
  auto snap = ReadHostSnapshot(name.id());
  ASSERT_TRUE(snap.ok());
  EXPECT_GT(snap->pages_evicted_total, 1000u);
  EXPECT_GT(snap->pages_loaded_total, 1000u);
  // Documented slack: at most one overcommitted page per attached enclave.
  EXPECT_LE(snap->resident_peak, kCapacity + kProcesses);
  EXPECT_EQ(snap->resident_pages, 0u);  // every helper detached cleanly
  EXPECT_EQ(snap->granted_pages, 0u);
  EXPECT_TRUE(snap->enclaves.empty());
}

}  // namespace
}  // namespace s3ml::tee::epc
