// The s3ml-epcd binary as a process: flag errors, the SGX start-up check, and a sim exporter
// served over HTTP whose figures move while an enclave pages.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "net/http_client.h"
#include "tee/epc/enclave_memory.h"
#include "tests/apps/epcd/temp_dir.h"
#include "tests/tee/epc/epc_test_host.h"

namespace s3ml::epcd {
namespace {

// A child process with its stderr on a pipe; killed (SIGKILL) and reaped if still running at the end.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 2);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    err_fd_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (err_fd_ >= 0) close(err_fd_);
  }
  // Reads stderr until `pattern` matches (returns the first group) or the deadline / EOF.
  std::string WaitForStderr(const std::regex& pattern, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::smatch m;
    while (!std::regex_search(err_, m, pattern)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return "";
      pollfd p{err_fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return "";
      char buf[4096];
      const ssize_t n = read(err_fd_, buf, sizeof(buf));
      if (n <= 0) return "";
      err_.append(buf, static_cast<size_t>(n));
    }
    return m.size() > 1 ? m[1].str() : m[0].str();
  }
  // Waits for exit (up to timeout) and returns the exit code, or -1.
  int Wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        WaitForStderr(std::regex("$^"), std::chrono::milliseconds(0));
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }
  // Everything read from stderr so far, plus what is left once the process has exited.
  std::string Stderr() {
    char buf[4096];
    ssize_t n;
    fcntl(err_fd_, F_SETFL, O_NONBLOCK);
    while ((n = read(err_fd_, buf, sizeof(buf))) > 0) err_.append(buf, static_cast<size_t>(n));
    return err_;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int err_fd_ = -1;
  bool reaped_ = false;
  std::string err_;
};

TEST(EpcdProcessTest, FlagErrorsExitNonZeroWithAMessage) {
  {
    Child c({EPCD_BINARY, "--source", "sim"});
    EXPECT_EQ(c.Wait(std::chrono::seconds(10)), 1);
    EXPECT_NE(c.Stderr().find("--source sim needs --host"), std::string::npos) << c.Stderr();
  }
  {
    Child c({EPCD_BINARY, "--source", "sim", "--host", "h", "--listen", "nope"});
    EXPECT_EQ(c.Wait(std::chrono::seconds(10)), 1);
    EXPECT_NE(c.Stderr().find("is not HOST:PORT"), std::string::npos) << c.Stderr();
  }
  {
    Child c({EPCD_BINARY, "--source", "sim", "--host", "../x"});
    EXPECT_EQ(c.Wait(std::chrono::seconds(10)), 1);
  }
  {
    Child c({EPCD_BINARY, "--source", "tpm", "--host", "h"});
    EXPECT_NE(c.Wait(std::chrono::seconds(10)), 0);
  }
}

TEST(EpcdProcessTest, SgxSourceOnAKernelWithoutSgxSaysSo) {
  testing::TempDir dir;
  const std::string kallsyms = dir.Write("kallsyms", "0 T _text\n0 T schedule\n");
  Child c({EPCD_BINARY, "--source", "sgx", "--kallsyms", kallsyms, "--bpf-object", EPCD_BPF_OBJECT});
  EXPECT_EQ(c.Wait(std::chrono::seconds(10)), 1);
  EXPECT_NE(c.Stderr().find("sgx_encl_ewb not found in " + kallsyms + ": this kernel has no in-kernel SGX driver"),
            std::string::npos)
      << c.Stderr();
}

double Value(const std::string& text, const std::string& series) {
  const size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

TEST(EpcdProcessTest, SimExporterServesFiguresThatMoveWithPaging) {
  using tee::epc::kEpcPageSize;
  tee::epc::TestHost host;
  Child c({EPCD_BINARY, "--source", "sim", "--host", host.id(), "--listen", "127.0.0.1:0", "--interval-ms", "100"});
  const std::string port = c.WaitForStderr(std::regex("epcd listening on 127\\.0\\.0\\.1:([0-9]+)"), std::chrono::seconds(10));
  ASSERT_FALSE(port.empty()) << c.Stderr();
  net::HttpClient client("127.0.0.1", static_cast<uint16_t>(std::stoi(port)));
  const std::string h = "{host=\"" + host.id() + "\"}";

  // No enclave has created the host yet: the exporter runs and says the source is down.
  auto down = client.Get("/metrics");
  ASSERT_TRUE(down.ok()) << down.status().ToString();
  EXPECT_EQ(Value(down->body, "s3ml_epc_source_up{host=\"" + host.id() + "\",source=\"sim\"}"), 0) << down->body;

  auto epc = tee::epc::EpcHost::Attach(host.id(), tee::epc::TestHost::Options(32, "proc-test"));
  ASSERT_TRUE(epc.ok());
  auto region = tee::epc::EnclaveMemory::Create(*epc, 128 * kEpcPageSize);
  ASSERT_TRUE(region.ok());
  volatile uint8_t* data = (*region)->data();
  // Page for a while so that at least one 100 ms interval sees paging.
  double rate = 0, evicted = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline && (rate <= 0 || evicted <= 0)) {
    for (size_t p = 0; p < (*region)->page_count(); ++p) {
      data[p * kEpcPageSize] = static_cast<uint8_t>(data[p * kEpcPageSize] + 1);
    }
    auto m = client.Get("/metrics");
    ASSERT_TRUE(m.ok());
    rate = Value(m->body, "s3ml_epc_paging_rate_pages_per_second" + h);
    evicted = Value(m->body, "s3ml_epc_pages_evicted_total" + h);
    const double capacity = Value(m->body, "s3ml_epc_capacity_bytes" + h);
    if (capacity >= 0) {  // absent until the first sample after the attach
      EXPECT_EQ(capacity, 32.0 * kEpcPageSize);
    }
  }
  EXPECT_GT(rate, 0);
  EXPECT_GT(evicted, 0);

  kill(c.pid(), SIGTERM);
  EXPECT_EQ(c.Wait(std::chrono::seconds(10)), 0) << c.Stderr();
}

}  // namespace
}  // namespace s3ml::epcd
