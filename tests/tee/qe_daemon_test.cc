// The quoting daemon with real enclave processes: copies of tests/tee/enclave_helper, configured
// and signed as `s3ml sim sign` does, ask the daemon (on a thread of this test) over its socket.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "attest/dcap_verifier.h"
#include "core/file.h"
#include "core/hex.h"
#include "tee/byte_writer.h"
#include "tee/sim/enclave_measurement.h"
#include "tee/sim/qe_protocol.h"
#include "tests/tee/sim_test_env.h"

namespace s3ml::tee::sim {
namespace {

using testing::kVerifyTime;
using testing::ProcessResult;
using testing::RunProcess;
using testing::TempDir;

const std::string kReportDataHex = std::string(64, 'a') + std::string(64, '5');

class QeDaemonTest : public ::testing::Test {
 protected:
  QeDaemonTest() : qe_(testing::MakeAuthority(tmp_.Sub("sim")), tmp_.Sub("qe.sock"), /*io_timeout_ms=*/300) {}

  // The platform the daemon serves, reopened from its directory (for its collateral and root).
  SimAuthority QeAuthority() { return SimAuthority::Open(tmp_.Sub("sim")).value(); }

  ProcessResult Quote(const std::string& binary) { return RunProcess({binary, "quote", qe_.socket(), kReportDataHex}); }

  TempDir tmp_;
  testing::RunningQe qe_;
};

TEST_F(QeDaemonTest, SignedEnclaveQuoteVerifiesWithItsMeasuredIdentity) {
  const std::string app = testing::InstallEnclave(tmp_.path(), "app");
  crypto::EcKey signer = testing::NewSigner();
  testing::SignEnclave(app, signer, /*isv_prod_id=*/12, /*isv_svn=*/4);
  ProcessResult r = Quote(app);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto quote = HexDecode(r.out.substr(0, r.out.size() - 1));
  ASSERT_TRUE(quote.ok());

  SimAuthority qa = QeAuthority();
  auto v = attest::VerifyDcapQuote(quote.value(), testing::LoadSimCollateral(qa), testing::SimAnchors(qa), kVerifyTime);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->identity.mrenclave, MeasureEnclaveFile(app)->mrenclave);
  EXPECT_EQ(v->identity.mrsigner, testing::MrSignerOf(signer));
  EXPECT_EQ(v->identity.isv_prod_id, 12);
  EXPECT_EQ(v->identity.isv_svn, 4);
  EXPECT_FALSE(v->identity.debug);
  EXPECT_EQ(HexEncode(v->identity.report_data), kReportDataHex);
  EXPECT_TRUE(v->simulated_root);

  auto intel = attest::VerifyDcapQuote(quote.value(), testing::LoadSimCollateral(qa), attest::TrustAnchors::IntelOnly(),
                                       kVerifyTime);
  EXPECT_EQ(intel.status().code(), StatusCode::kPermissionDenied);

  ProcessResult id = RunProcess({app, "identity", qe_.socket()});
  ASSERT_EQ(id.exit_code, 0) << id.err;
  EXPECT_EQ(id.out, HexEncode(v->identity.mrenclave) + " " + HexEncode(v->identity.mrsigner) + " 12 4 0\n");
}

TEST_F(QeDaemonTest, PatchedCopyHasAnotherMrEnclaveAndIsUnsignedUntilResigned) {
  const std::string app = testing::InstallEnclave(tmp_.path(), "app");
  crypto::EcKey signer = testing::NewSigner();
  testing::SignEnclave(app, signer, 1, 1);
  const auto original = MeasureEnclaveFile(app)->mrenclave;

  const std::string patched = testing::InstallEnclave(tmp_.path(), "patched");
  {
    // Change one byte well inside the file (in a string table or padding; the program still runs
    // or not, the measurement must differ either way) and take over the original's sigstruct.
    auto bytes = ReadFileBytes(patched).value();
    bytes[bytes.size() - 1] ^= 0x01;
    ASSERT_TRUE(WriteFileAtomic(patched, bytes, 0755).ok());
    auto sig = ReadFileBytes(SigstructPath(app)).value();
    ASSERT_TRUE(WriteFileAtomic(SigstructPath(patched), sig, 0644).ok());
  }
  const auto patched_mr = MeasureEnclaveFile(patched)->mrenclave;
  EXPECT_NE(patched_mr, original);

  ProcessResult refused = Quote(patched);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("PermissionDenied"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("unsigned"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find(HexEncode(patched_mr)), std::string::npos) << refused.err;

  testing::SignEnclave(patched, signer, 1, 1);
  ProcessResult accepted = Quote(patched);
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  auto id = RunProcess({patched, "identity", qe_.socket()});
  EXPECT_EQ(id.out.substr(0, 64), HexEncode(patched_mr));
}

TEST_F(QeDaemonTest, UnsignedOrUnconfiguredProgramsAreRefused) {
  const std::string unsigned_app = testing::InstallEnclave(tmp_.path(), "unsigned");
  ProcessResult r = Quote(unsigned_app);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("sigstruct is missing"), std::string::npos) << r.err;

  const std::string bare = testing::InstallEnclave(tmp_.path(), "bare");
  ASSERT_EQ(::unlink(EnclaveConfigPath(bare).c_str()), 0);
  ProcessResult no_config = Quote(bare);
  EXPECT_EQ(no_config.exit_code, 1);
  EXPECT_NE(no_config.err.find("FailedPrecondition"), std::string::npos) << no_config.err;
  EXPECT_NE(no_config.err.find("bare.enclave.json is missing"), std::string::npos) << no_config.err;

  const std::string forged = testing::InstallEnclave(tmp_.path(), "forged");
  testing::SignEnclave(forged, testing::NewSigner(), 1, 1);
  auto sig = ReadFileBytes(SigstructPath(forged)).value();
  sig[20] ^= 1;  // inside the signed MRENCLAVE
  ASSERT_TRUE(WriteFileAtomic(SigstructPath(forged), sig, 0644).ok());
  ProcessResult bad_sig = Quote(forged);
  EXPECT_EQ(bad_sig.exit_code, 1);
  EXPECT_NE(bad_sig.err.find("signature does not verify"), std::string::npos) << bad_sig.err;
}

TEST_F(QeDaemonTest, DebugConfigurationGivesTheDebugAttribute) {
  const std::string app = testing::InstallEnclave(tmp_.path(), "debug-app", /*debug=*/true);
  testing::SignEnclave(app, testing::NewSigner(), 1, 1);
  ProcessResult r = Quote(app);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  SimAuthority qa = QeAuthority();
  auto v = attest::VerifyDcapQuote(HexDecode(r.out.substr(0, r.out.size() - 1)).value(), testing::LoadSimCollateral(qa),
                                   testing::SimAnchors(qa), kVerifyTime);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->identity.debug);
}

// Connects, sends raw bytes, and returns the decoded reply (or the transport error).
Result<std::vector<uint8_t>> RawExchange(const std::string& socket_path, std::span<const uint8_t> raw,
                                         bool half_close) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof(addr.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return Unavailable("connect");
  }
  timeval tv{.tv_sec = 5, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (!raw.empty()) (void)::send(fd, raw.data(), raw.size(), MSG_NOSIGNAL);
  if (half_close) ::shutdown(fd, SHUT_WR);
  auto frame = ReadQeFrame(fd);
  ::close(fd);
  if (!frame.ok()) return frame.status();
  return DecodeQeReply(frame.value());
}

std::vector<uint8_t> Framed(std::vector<uint8_t> body, uint32_t claimed_length) {
  ByteWriter w;
  w.U32Le(claimed_length);
  w.Bytes(body);
  return w.Take();
}

TEST_F(QeDaemonTest, SurvivesMalformedRequests) {
  // Error replies for frames the daemon could read.
  auto zero_length = RawExchange(qe_.socket(), Framed({}, 0), true);
  EXPECT_EQ(zero_length.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(zero_length.status().message().find("frame length 0"), std::string::npos);
  auto huge = RawExchange(qe_.socket(), Framed({}, 1u << 30), true);
  EXPECT_NE(huge.status().message().find("outside 1..65536"), std::string::npos) << huge.status().ToString();
  auto bad_version = RawExchange(qe_.socket(), Framed({7, 1}, 2), true);
  EXPECT_NE(bad_version.status().message().find("version 7"), std::string::npos) << bad_version.status().ToString();
  auto bad_type = RawExchange(qe_.socket(), Framed({1, 42}, 2), true);
  EXPECT_NE(bad_type.status().message().find("type 42"), std::string::npos);
  // The test process itself is not an enclave program: a well-formed request is refused by identity.
  auto not_enclave = RawExchange(qe_.socket(), Framed({1, 3}, 2), true);
  EXPECT_EQ(not_enclave.status().code(), StatusCode::kFailedPrecondition) << not_enclave.status().ToString();
  // Truncated frames and silent clients get no reply (they hit EOF or the 300 ms timeout).
  EXPECT_FALSE(RawExchange(qe_.socket(), Framed({1}, 100), true).ok());
  EXPECT_FALSE(RawExchange(qe_.socket(), {}, false).ok());
  std::vector<uint8_t> garbage(70000, 0xff);
  EXPECT_FALSE(RawExchange(qe_.socket(), garbage, true).ok());

  // And the daemon still serves real enclaves.
  const std::string app = testing::InstallEnclave(tmp_.path(), "after");
  testing::SignEnclave(app, testing::NewSigner(), 1, 1);
  ProcessResult r = Quote(app);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(QeDaemonTest, SecondDaemonOnTheSameSocketIsRefused) {
  auto second = QeServer::Start(QeAuthority(), QeServerOptions{.socket_path = qe_.socket()});
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists);
}

TEST(QeDaemonUnreachableTest, ClientReportsUnavailable) {
  TempDir tmp;
  const std::string app = testing::InstallEnclave(tmp.path(), "app");
  ProcessResult r = RunProcess({app, "quote", tmp.Sub("no.sock"), kReportDataHex});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("Unavailable"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sim qe"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace s3ml::tee::sim
