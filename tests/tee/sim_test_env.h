// Shared fixtures of the tee tests: temporary directories, a simulated host (SimAuthority made
// at a fixed time), a quoting daemon running on a thread of the test process, installing and
// signing copies of the enclave helper, and running them as real child processes.
#ifndef S3ML_TESTS_TEE_SIM_TEST_ENV_H_
#define S3ML_TESTS_TEE_SIM_TEST_ENV_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "attest/collateral.h"
#include "attest/trust_anchor.h"
#include "crypto/ec_key.h"
#include "tee/sim/qe_server.h"
#include "tee/sim/sim_authority.h"

namespace s3ml::tee::testing {

inline constexpr int64_t kInitTime = 1767225600;  // 2026-01-01T00:00:00Z
inline constexpr int64_t kVerifyTime = kInitTime + 600;

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
ProcessResult RunProcess(const std::vector<std::string>& argv);

sim::SimAuthority MakeAuthority(const std::string& dir, const std::string& tcb_status = "UpToDate");

// A QeServer serving on a background thread until destruction.
class RunningQe {
 public:
  RunningQe(sim::SimAuthority authority, const std::string& socket_path, int io_timeout_ms = 5000);
  ~RunningQe();
  const std::string& socket() const { return socket_; }

 private:
  std::string socket_;
  std::unique_ptr<sim::QeServer> server_;
  std::thread thread_;
};

// Copies the enclave helper to dir/name and writes its enclave configuration.
std::string InstallEnclave(const std::string& dir, const std::string& name, bool debug = false);
// What `s3ml sim sign` does: measure, sign, write <binary>.sigstruct.
void SignEnclave(const std::string& binary, const crypto::EcKey& signer, uint16_t isv_prod_id, uint16_t isv_svn);
crypto::EcKey NewSigner();
std::array<uint8_t, 32> MrSignerOf(const crypto::EcKey& signer);

attest::Collateral LoadSimCollateral(const sim::SimAuthority& authority);
attest::TrustAnchors SimAnchors(const sim::SimAuthority& authority);

}  // namespace s3ml::tee::testing

#endif  // S3ML_TESTS_TEE_SIM_TEST_ENV_H_
