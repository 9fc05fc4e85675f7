// ProcessIdentifier against a live enclave process: it is kept alive by a socket that accepts
// its request and never answers.
#include "tee/sim/process_identifier.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "core/file.h"
#include "tests/tee/sim_test_env.h"

namespace s3ml::tee::sim {
namespace {

using testing::TempDir;

class LiveEnclave {
 public:
  LiveEnclave(const std::string& binary, const std::string& socket_path) {
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket_path.c_str(), sizeof(addr.sun_path) - 1);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(listen_fd_, 4), 0);
    std::vector<std::string> argv = {binary, "quote", socket_path, std::string(128, '0')};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    // Once the child connected, it has exec'd the enclave binary.
    conn_ = ::accept(listen_fd_, nullptr, nullptr);
  }
  ~LiveEnclave() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    ::close(conn_);
    ::close(listen_fd_);
  }
  pid_t pid() const { return pid_; }

 private:
  int listen_fd_ = -1, conn_ = -1;
  pid_t pid_ = -1;
};

TEST(ProcessIdentifierTest, MeasuresOnceAndRemeasuresWhenTheConfigurationChanges) {
  TempDir tmp;
  const std::string app = testing::InstallEnclave(tmp.path(), "app");
  crypto::EcKey signer = testing::NewSigner();
  testing::SignEnclave(app, signer, 5, 6);
  LiveEnclave live(app, tmp.Sub("hold.sock"));

  ProcessIdentifier identifier;
  auto id = identifier.Identify(live.pid());
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(id->mrenclave, MeasureEnclaveFile(app)->mrenclave);
  EXPECT_EQ(id->mrsigner, testing::MrSignerOf(signer));
  EXPECT_EQ(id->isv_prod_id, 5);
  EXPECT_EQ(id->isv_svn, 6);
  auto again = identifier.Identify(live.pid());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), id.value());
  EXPECT_EQ(identifier.measurements_computed(), 1u);

  // A changed configuration is a different enclave: re-measured, and the old signature no longer fits.
  ASSERT_TRUE(WriteFileAtomic(EnclaveConfigPath(app), AsBytes("{\"debug\": true}"), 0644).ok());
  auto changed = identifier.Identify(live.pid());
  EXPECT_EQ(changed.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(changed.status().message().find("unsigned"), std::string::npos);
  EXPECT_EQ(identifier.measurements_computed(), 2u);
}

TEST(ProcessIdentifierTest, ReplacedExecutableIsStillTheMappedOne) {
  TempDir tmp;
  const std::string app = testing::InstallEnclave(tmp.path(), "app");
  crypto::EcKey signer = testing::NewSigner();
  testing::SignEnclave(app, signer, 1, 1);
  const auto original = MeasureEnclaveFile(app)->mrenclave;
  LiveEnclave live(app, tmp.Sub("hold.sock"));
  // Replace the file on disk by another binary and sign that one: the running process still maps
  // the original, so the new sigstruct does not fit it.
  auto bytes = ReadFileBytes(app).value();
  bytes.push_back(1);
  ASSERT_TRUE(WriteFileAtomic(app, bytes, 0755).ok());
  testing::SignEnclave(app, signer, 1, 1);
  auto id = ProcessIdentifier().Identify(live.pid());
  EXPECT_EQ(id.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(id.status().message().find(std::string("measures ")), std::string::npos) << id.status().ToString();
  EXPECT_NE(MeasureEnclaveFile(app)->mrenclave, original);
}

TEST(ProcessIdentifierTest, UnknownProcessIsUnavailable) {
  EXPECT_EQ(ProcessIdentifier().Identify(0).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ProcessIdentifier().Identify(999999999).status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace s3ml::tee::sim
