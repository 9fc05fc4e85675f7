// End to end with real processes and the real CLI: `s3ml sim init`, `s3ml sim sign`, the daemon
// `s3ml sim qe` as its own process, an enclave program asking it for a quote, `s3ml quote verify`
// with and without the simulated root, `s3ml sim revoke-pck`, `s3ml sim refresh`.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "core/file.h"
#include "core/hex.h"
#include "tests/tee/sim_test_env.h"

namespace s3ml::tee::sim {
namespace {

using testing::ProcessResult;
using testing::RunProcess;
using testing::TempDir;

const std::string kS3ml = std::string(S3ML_BINARY_DIR) + "/bin/s3ml";

// `s3ml sim qe` in the background until the end of the test.
class DaemonProcess {
 public:
  DaemonProcess(const std::string& dir, const std::string& socket) : socket_(socket) {
    std::vector<std::string> argv = {kS3ml, "sim", "qe", "--dir", dir, "--socket", socket};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    // Wait until the socket exists (the daemon binds before it prints its first line).
    for (int i = 0; i < 1000; ++i) {
      struct stat st;
      if (::stat(socket.c_str(), &st) == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  // Stops the daemon with SIGTERM and returns its exit status.
  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ~DaemonProcess() { Stop(); }

 private:
  std::string socket_;
  pid_t pid_ = -1;
};

TEST(SimCliTest, InitSignQuoteVerifyRevoke) {
  TempDir tmp;
  const std::string dir = tmp.Sub("sim");
  ProcessResult init =
      RunProcess({kS3ml, "sim", "init", "--dir", dir, "--tcb-status", "OutOfDate", "--fmspc", "00606A000000"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_NE(init.out.find("00606a000000"), std::string::npos) << init.out;
  EXPECT_EQ(RunProcess({kS3ml, "sim", "init", "--dir", dir}).exit_code, 1);  // already exists
  EXPECT_NE(RunProcess({kS3ml, "sim", "init", "--dir", tmp.Sub("x"), "--tcb-status", "Great"}).err.find("Great"),
            std::string::npos);

  const std::string app = testing::InstallEnclave(tmp.path(), "app");
  ASSERT_EQ(RunProcess({kS3ml, "sim", "keygen", "--out", tmp.Sub("signer.pem")}).exit_code, 0);
  ProcessResult sign = RunProcess(
      {kS3ml, "sim", "sign", "--key", tmp.Sub("signer.pem"), "--binary", app, "--isvprodid", "3", "--isvsvn", "2"});
  ASSERT_EQ(sign.exit_code, 0) << sign.err;

  DaemonProcess daemon(dir, tmp.Sub("qe.sock"));
  ProcessResult quote = RunProcess({app, "quote", tmp.Sub("qe.sock"), std::string(128, '0')});
  ASSERT_EQ(quote.exit_code, 0) << quote.err;
  auto bytes = HexDecode(quote.out.substr(0, quote.out.size() - 1));
  ASSERT_TRUE(bytes.ok());
  ASSERT_TRUE(WriteFileAtomic(tmp.Sub("quote.bin"), bytes.value()).ok());

  const std::string root = dir + "/certs/root_ca.pem";
  ProcessResult ok = RunProcess({kS3ml, "quote", "verify", "--quote", tmp.Sub("quote.bin"), "--collateral",
                                 dir + "/collateral", "--allow-sim", "--sim-root", root});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("SIMULATED"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("OutOfDate"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("isvprodid:   3"), std::string::npos) << ok.out;
  // The MRENCLAVE `sim sign` printed is the one the daemon measured.
  const size_t at = sign.out.find("mrenclave:   ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_NE(ok.out.find(sign.out.substr(at, 13 + 64)), std::string::npos) << ok.out;

  ProcessResult intel =
      RunProcess({kS3ml, "quote", "verify", "--quote", tmp.Sub("quote.bin"), "--collateral", dir + "/collateral"});
  EXPECT_EQ(intel.exit_code, 1);
  EXPECT_NE((intel.out + intel.err).find("pinned root"), std::string::npos) << intel.err;

  ASSERT_EQ(RunProcess({kS3ml, "sim", "revoke-pck", "--dir", dir}).exit_code, 0);
  ProcessResult revoked = RunProcess({kS3ml, "quote", "verify", "--quote", tmp.Sub("quote.bin"), "--collateral",
                                      dir + "/collateral", "--allow-sim", "--sim-root", root});
  EXPECT_EQ(revoked.exit_code, 1);
  EXPECT_NE((revoked.out + revoked.err).find("revoked: PCK certificate"), std::string::npos) << revoked.err;

  ASSERT_EQ(RunProcess({kS3ml, "sim", "refresh", "--dir", dir}).exit_code, 0);
  EXPECT_EQ(daemon.Stop(), 0);
}

TEST(SimCliTest, SignRefusesABinaryWithoutConfiguration) {
  TempDir tmp;
  ASSERT_TRUE(WriteFileAtomic(tmp.Sub("app"), AsBytes("x"), 0755).ok());
  ASSERT_EQ(RunProcess({kS3ml, "sim", "keygen", "--out", tmp.Sub("k.pem")}).exit_code, 0);
  ProcessResult r = RunProcess({kS3ml, "sim", "sign", "--key", tmp.Sub("k.pem"), "--binary", tmp.Sub("app")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("app.enclave.json is missing"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace s3ml::tee::sim
