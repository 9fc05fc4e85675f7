// Fixtures of the RA-TLS tests: a simulated SGX host (authority + quoting daemon) and signed
// enclave helper programs that produce real, measured quotes, so each test "enclave" has its own
// identity. EnclaveProcessPlatform is a tee::Platform whose quotes come from such a helper run as
// a child process (the daemon measures the helper, not the test binary).
#ifndef S3ML_TESTS_ATTEST_RATLS_RATLS_TEST_ENV_H_
#define S3ML_TESTS_ATTEST_RATLS_RATLS_TEST_ENV_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "attest/attestation_policy.h"
#include "attest/collateral.h"
#include "attest/ratls_certificate.h"
#include "attest/ratls_verifier.h"
#include "attest/trust_anchor.h"
#include "core/clock.h"
#include "crypto/ec_key.h"
#include "tee/platform.h"
#include "tests/tee/sim_test_env.h"

namespace s3ml::attest::testing {

class EnclaveProcessPlatform final : public tee::Platform {
 public:
  EnclaveProcessPlatform(std::string enclave_binary, std::string qe_socket)
      : binary_(std::move(enclave_binary)), socket_(std::move(qe_socket)) {}
  std::string_view name() const override { return "sim"; }
  Result<std::vector<uint8_t>> GetQuote(std::span<const uint8_t> report_data) override;
  // Sealing is not needed by RA-TLS: kUnimplemented.
  Result<crypto::SecretBytes> GetSealKey(tee::SealKeyPolicy policy, std::string_view label) override;
  Result<tee::Identity> SelfIdentity() override;

 private:
  std::string binary_;
  std::string socket_;
};

struct TestEnclave {
  std::string binary;
  crypto::EcKey signer;
  std::array<uint8_t, 32> mrenclave{};
  std::array<uint8_t, 32> mrsigner{};
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
  bool debug = false;
};

// One simulated host for a whole test suite.
class RaTlsTestEnv {
 public:
  RaTlsTestEnv();
  ~RaTlsTestEnv();

  // Installs and signs a copy of the enclave helper named `name`.
  TestEnclave AddEnclave(const std::string& name, uint16_t isv_prod_id, uint16_t isv_svn, bool debug = false);
  std::unique_ptr<EnclaveProcessPlatform> PlatformOf(const TestEnclave& enclave) const;

  const Collateral& collateral() const { return *collateral_; }
  TrustAnchors anchors() const { return anchors_; }
  const std::string& qe_socket() const { return qe_->socket(); }

 private:
  tee::testing::TempDir dir_;
  std::unique_ptr<tee::testing::RunningQe> qe_;
  std::optional<Collateral> collateral_;
  TrustAnchors anchors_ = TrustAnchors::None();
};

// A policy that accepts exactly this enclave's signer rule, the simulated root and debug as asked.
AttestationPolicy PolicyForSigner(const TestEnclave& enclave, bool allow_debug = false);

// Verifier options with the env's simulated anchors and collateral at `clock`.
RaTlsVerifierOptions SimVerifierOptions(const RaTlsTestEnv& env, AttestationPolicy policy, const Clock* clock);

}  // namespace s3ml::attest::testing

#endif  // S3ML_TESTS_ATTEST_RATLS_RATLS_TEST_ENV_H_
