// Test fixtures for the client's ECS code.
//
// SimHost: one simulated SGX host for a test suite (authority, quoting daemon, collateral) and
// signed copies of the enclave helper, each with its own measured identity; quotes come from a
// helper child process, so they are real simulated quotes.
//
// FakeEcs stands in for the real ECS (ecs/, s3ml-ecs), which is written in parallel: it serves the
// docs/protocol.md endpoints the client calls (attestation, manifest, model keys, audit) over
// TLS with a real RA-TLS server certificate of a simulated enclave, and can misbehave on purpose
// (replayed answers, another root, a manifest that does not match its hash, a quote from another
// enclave, a removed audit entry) so that tests see the client refuse each.
#ifndef S3ML_TESTS_CLIENT_FAKE_ECS_H_
#define S3ML_TESTS_CLIENT_FAKE_ECS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "attest/collateral.h"
#include "core/clock.h"
#include "crypto/ec_key.h"
#include "crypto/x509_certificate.h"
#include "net/http_server.h"
#include "tests/attest/ratls/ratls_test_env.h"
#include "tests/tee/sim_test_env.h"

namespace s3ml::client::testing {

using attest::testing::EnclaveProcessPlatform;
using attest::testing::TestEnclave;

class SimHost {
 public:
  SimHost();
  ~SimHost();
  // A signed enclave; a given signer key makes enclaves of one signer (same MRSIGNER).
  TestEnclave AddEnclave(const std::string& name, uint16_t isv_prod_id, uint16_t isv_svn,
                         const crypto::EcKey* signer = nullptr);
  std::unique_ptr<EnclaveProcessPlatform> PlatformOf(const TestEnclave& enclave) const;

  const attest::Collateral& collateral() const { return *collateral_; }
  const std::string& root_pem() const { return root_pem_; }

 private:
  tee::testing::TempDir dir_;
  std::unique_ptr<tee::testing::RunningQe> qe_;
  std::optional<attest::Collateral> collateral_;
  std::string root_pem_;
  size_t enclaves_ = 0;
};

class FakeEcs {
 public:
  enum class Misbehaviour {
    kNone,
    kReplayAnswer,        // answers every attestation request with the first answer it made
    kOtherRoot,           // the quote binds the real root, the answer carries another root
    kManifestMismatch,    // the answer's manifest bytes are not the hashed (and bound) ones
    kQuoteFromOther,      // the quote comes from another enclave than the TLS certificate's
    kNonZeroBindingTail,  // report_data[32..64] is not zero
    kDropAuditEntry,      // GET /v1/audit leaves out an entry in the middle
  };

  // `platform` is the ECS enclave; `other` (may be null) quotes for kQuoteFromOther. Both must
  // outlive the server. `clock` dates the certificates.
  FakeEcs(tee::Platform* platform, tee::Platform* other, const Clock* clock);
  ~FakeEcs();

  void Start();  // ASSERT-fails the test on error
  void Stop();
  uint16_t port() const { return server_->port(); }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port()); }

  void set_misbehaviour(Misbehaviour m) { misbehaviour_ = m; }
  const std::string& root_pem() const { return root_pem_; }
  std::optional<std::string> manifest() const;
  std::optional<std::vector<uint8_t>> model_key(const std::string& name) const;
  int attestation_requests() const { return attestation_requests_; }

 private:
  net::Router Routes();
  net::HttpResponse Attestation(const net::HttpRequest& request);
  net::HttpResponse PutManifest(const net::HttpRequest& request);
  net::HttpResponse GetManifest();
  net::HttpResponse ModelKey(const net::HttpRequest& request, bool generate);
  net::HttpResponse Audit(const net::HttpRequest& request);
  // 401 / 403 unless the TLS client certificate's key is the manifest's owner key. Holds mutex_.
  std::optional<net::HttpResponse> RefuseNonOwner(const net::HttpRequest& request);
  void AppendAudit(const std::string& event, nlohmann::json detail);  // holds mutex_

  tee::Platform* platform_;
  tee::Platform* other_;
  const Clock* clock_;
  std::unique_ptr<net::HttpServer> server_;
  std::string root_pem_;
  std::vector<uint8_t> root_der_;
  std::string other_root_pem_;
  std::atomic<Misbehaviour> misbehaviour_{Misbehaviour::kNone};
  std::atomic<int> attestation_requests_{0};

  mutable std::mutex mutex_;
  std::optional<std::string> manifest_;
  std::optional<std::string> first_answer_;
  std::map<std::string, std::vector<uint8_t>> model_keys_;
  nlohmann::json audit_ = nlohmann::json::array();
};

}  // namespace s3ml::client::testing

#endif  // S3ML_TESTS_CLIENT_FAKE_ECS_H_
