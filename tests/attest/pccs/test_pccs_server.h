// A local HTTPS PCCS (API v4 paths) serving one testdata/sgx sample, for tests only: TLS with a
// throwaway CA, issuer chains URL-encoded in the response headers as Intel's PCCS sends them, the
// root CA CRL hex-encoded (PCCS style) or as DER. Counts requests; can be told to misbehave.
#ifndef S3ML_TESTS_ATTEST_PCCS_TEST_PCCS_SERVER_H_
#define S3ML_TESTS_ATTEST_PCCS_TEST_PCCS_SERVER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "net/http_server.h"
#include "tests/attest/sgx_samples.h"
#include "tests/net/test_certificates.h"

namespace s3ml::attest::testing {

enum class PccsFault {
  kNone,
  kNotFound,            // every request: 404
  kServerError,         // every request: 503
  kMissingHeader,       // no issuer-chain headers
  kBadHeaderEscape,     // "%G1" in the TCB Info issuer chain
  kGarbageTcbInfo,      // TCB Info body is not JSON
  kGarbageCrl,          // PCK CRL body is neither DER, PEM nor hex of a CRL
  kOversizedTcbInfo,    // TCB Info body padded to 2 MiB
  kOtherFmspcTcbInfo,   // TCB Info of another sample whatever the fmspc asked
};

// URL-encodes like JavaScript's encodeURIComponent (what PCCS does for issuer chains).
std::string UrlEncode(std::string_view text);

class TestPccsServer {
 public:
  // Serves `sample` (a folder of testdata/sgx) with TLS identity `server` (SAN IP:127.0.0.1).
  TestPccsServer(const std::string& sample, const net::testing::TestIdentity& server, bool hex_root_crl = true);
  ~TestPccsServer();

  std::string base_url() const;
  uint64_t requests() const { return requests_->load(); }
  void set_fault(PccsFault fault) { fault_->store(fault); }

 private:
  std::shared_ptr<std::atomic<uint64_t>> requests_;
  std::shared_ptr<std::atomic<PccsFault>> fault_;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace s3ml::attest::testing

#endif  // S3ML_TESTS_ATTEST_PCCS_TEST_PCCS_SERVER_H_
