#include "tests/tee/sim_test_env.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "core/clock.h"
#include "core/file.h"
#include "crypto/digest.h"
#include "tee/sim/enclave_measurement.h"
#include "tee/sim/sim_sigstruct.h"

namespace s3ml::tee::testing {

TempDir::TempDir() {
  // Short paths: Unix socket paths are limited to 107 bytes.
  std::string tmpl = "/tmp/s3ml-tee-XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  if (made == nullptr) std::abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

ProcessResult RunProcess(const std::vector<std::string>& argv) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) std::abort();
  // Built before fork: the child of a multi-threaded process may only call async-signal-safe code.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ProcessResult r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open = 2;
  char buf[65536];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

sim::SimAuthority MakeAuthority(const std::string& dir, const std::string& tcb_status) {
  sim::SimInitOptions options;
  options.tcb_status = tcb_status;
  auto a = sim::SimAuthority::Create(dir, options, FixedClock(kInitTime));
  if (!a.ok()) {
    ADD_FAILURE() << a.status().ToString();
    std::abort();
  }
  return std::move(a).value();
}

RunningQe::RunningQe(sim::SimAuthority authority, const std::string& socket_path, int io_timeout_ms)
    : socket_(socket_path) {
  sim::QeServerOptions options;
  options.socket_path = socket_path;
  options.io_timeout_ms = io_timeout_ms;
  auto server = sim::QeServer::Start(std::move(authority), options);
  if (!server.ok()) {
    ADD_FAILURE() << server.status().ToString();
    std::abort();
  }
  server_ = std::move(server).value();
  thread_ = std::thread([this] { EXPECT_TRUE(server_->Run().ok()); });
}

RunningQe::~RunningQe() {
  server_->Stop();
  thread_.join();
}

std::string InstallEnclave(const std::string& dir, const std::string& name, bool debug) {
  const std::string path = dir + "/" + name;
  std::filesystem::copy_file(TEE_ENCLAVE_HELPER, path, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  const std::string config = debug ? "{\"debug\": true}\n" : "{\"debug\": false}\n";
  EXPECT_TRUE(WriteFileAtomic(sim::EnclaveConfigPath(path), AsBytes(config), 0644).ok());
  return path;
}

void SignEnclave(const std::string& binary, const crypto::EcKey& signer, uint16_t isv_prod_id, uint16_t isv_svn) {
  auto m = sim::MeasureEnclaveFile(binary);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto sig = sim::SignSigstruct(signer, m->mrenclave, isv_prod_id, isv_svn);
  ASSERT_TRUE(sig.ok()) << sig.status().ToString();
  ASSERT_TRUE(WriteFileAtomic(sim::SigstructPath(binary), sig.value(), 0644).ok());
}

crypto::EcKey NewSigner() { return crypto::EcKey::Generate(crypto::EcCurve::kP256).value(); }

std::array<uint8_t, 32> MrSignerOf(const crypto::EcKey& signer) {
  return crypto::Sha256(signer.PublicKeyDer().value());
}

attest::Collateral LoadSimCollateral(const sim::SimAuthority& authority) {
  auto c = attest::LoadCollateralDirectory(authority.paths().collateral());
  if (!c.ok()) {
    ADD_FAILURE() << c.status().ToString();
    std::abort();
  }
  return std::move(c).value();
}

attest::TrustAnchors SimAnchors(const sim::SimAuthority& authority) {
  attest::TrustAnchors anchors = attest::TrustAnchors::None();
  EXPECT_TRUE(anchors.AddRootCertificate(authority.root_certificate(), /*simulated=*/true).ok());
  return anchors;
}

}  // namespace s3ml::tee::testing
