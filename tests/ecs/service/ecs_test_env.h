// Fixtures of the ECS service tests: one simulated SGX host (authority created at the real time,
// quoting daemon on a thread of the test), a signed copy of the real s3ml-ecs binary run as a
// child process on loopback, signed copies of the enclave helper as "model servers" (their quotes
// come from real child processes, so each has its own measured identity), an owner key pair, and
// HTTPS clients for each role.
#ifndef S3ML_TESTS_ECS_SERVICE_ECS_TEST_ENV_H_
#define S3ML_TESTS_ECS_SERVICE_ECS_TEST_ENV_H_

#include <sys/types.h>

#include <array>
#include <memory>
#include <mutex>
#include <thread>
#include <optional>
#include <string>
#include <vector>

#include "attest/collateral.h"
#include "attest/ratls_certificate.h"
#include "attest/trust_anchor.h"
#include "crypto/ec_key.h"
#include "net/http_client.h"
#include "tests/attest/ratls/ratls_test_env.h"
#include "tests/tee/sim_test_env.h"

namespace s3ml::ecs::testing {

struct HostOptions {
  std::string tcb_status = "UpToDate";
  // When set, the authority (and its collateral) is created this many seconds in the past.
  int64_t created_seconds_ago = 0;
  int validity_days = 30;
};

// A running s3ml-ecs child process.
class EcsProcess {
 public:
  EcsProcess() = default;
  ~EcsProcess();
  EcsProcess(const EcsProcess&) = delete;
  EcsProcess& operator=(const EcsProcess&) = delete;

  // Starts `argv` with S3ML_SIM_QE_SOCKET=socket; waits up to 20 s for "ecs listening on".
  // Returns false (and fills error_output) if the process exits or never becomes ready.
  bool Start(const std::vector<std::string>& argv, const std::string& qe_socket);
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // SIGTERM and wait; returns the exit code (128 + signal when killed).
  int Stop();
  void Kill9();
  // stderr collected so far (a thread keeps reading it after readiness, so the child never
  // blocks on a full pipe).
  std::string output() const;

 private:
  void JoinDrain();
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  uint16_t port_ = 0;
  mutable std::mutex mu_;
  std::string output_;
  std::thread drain_;
};

class EcsTestHost {
 public:
  explicit EcsTestHost(HostOptions options = {});
  ~EcsTestHost();

  const std::string& dir() const { return dir_.path(); }
  const std::string& qe_socket() const { return qe_->socket(); }
  const attest::Collateral& collateral() const { return *collateral_; }
  attest::TrustAnchors anchors() const { return anchors_; }
  std::string sim_root_path() const;
  std::string collateral_dir() const;

  // The s3ml-ecs binary copied and signed (prod id 7, svn 3) for this host.
  const std::string& ecs_binary() const { return ecs_binary_; }
  const std::array<uint8_t, 32>& ecs_mrenclave() const { return ecs_mrenclave_; }
  const std::array<uint8_t, 32>& ecs_mrsigner() const { return ecs_mrsigner_; }

  // argv for `s3ml-ecs serve` with this host's collateral and simulated root.
  std::vector<std::string> ServeArgs(const std::string& state_dir) const;
  // Starts the ECS (asserting that it becomes ready).
  std::unique_ptr<EcsProcess> StartEcs(const std::string& state_dir) const;

  // A signed enclave helper ("model server") with its own identity.
  attest::testing::TestEnclave AddEnclave(const std::string& name, uint16_t isv_prod_id, uint16_t isv_svn,
                                          bool debug = false, const crypto::EcKey* signer = nullptr);
  // A fresh RA-TLS certificate of that enclave, made now.
  attest::RaTlsCredentials Credentials(const attest::testing::TestEnclave& enclave) const;

  // An HTTPS client of the ECS that verifies it by MRSIGNER (RA-TLS) and presents `client_pem`/
  // `client_key_pem` when given. `verify_ecs` false accepts any server (for hosts whose
  // collateral is deliberately expired).
  std::unique_ptr<net::HttpClient> Client(uint16_t port, const std::string& client_pem = "",
                                          const std::string& client_key_pem = "", bool verify_ecs = true) const;

 private:
  tee::testing::TempDir dir_;
  std::unique_ptr<tee::testing::RunningQe> qe_;
  std::optional<attest::Collateral> collateral_;
  attest::TrustAnchors anchors_ = attest::TrustAnchors::None();
  std::string ecs_binary_;
  crypto::EcKey ecs_signer_;
  std::array<uint8_t, 32> ecs_mrenclave_{};
  std::array<uint8_t, 32> ecs_mrsigner_{};
};

// The owner's keys (docs/protocol.md): P-384 owner key with a self-signed certificate, recovery key.
struct Owner {
  crypto::EcKey key;
  std::string certificate_pem;
  std::string key_pem;
  crypto::EcKey recovery;
  std::string recovery_key_pem;
  static Owner Create();
  std::string SignBase64(const std::string& body) const;
  std::string PublicKeyPem() const;
  std::string RecoveryPublicKeyPem() const;
};

// One manifest identity, as JSON.
std::string IdentityJson(const std::string& name, const attest::testing::TestEnclave& enclave,
                         const std::vector<std::string>& models, const std::string& extra = "",
                         bool by_mrenclave = false);
std::string ManifestJson(const Owner& owner, int version, const std::vector<std::string>& identities,
                         int64_t lifetime = 3600);

std::string AsString(const crypto::SecretBytes& s);
std::string EcsBinaryPath();

}  // namespace s3ml::ecs::testing

#endif  // S3ML_TESTS_ECS_SERVICE_ECS_TEST_ENV_H_
