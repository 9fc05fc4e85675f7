// PccsClient: fetches DCAP collateral over HTTPS from an Intel PCCS (or the Intel PCS), API v4:
//   GET /sgx/certification/v4/tcb?fmspc=HEX            body TCB Info JSON, header TCB-Info-Issuer-Chain
//   GET /sgx/certification/v4/qe/identity              header SGX-Enclave-Identity-Issuer-Chain
//   GET /sgx/certification/v4/pckcrl?ca=processor|platform&encoding=der
//                                                      header SGX-PCK-CRL-Issuer-Chain
//   GET /sgx/certification/v4/rootcacrl                body hex (PCCS) or DER or PEM
// Issuer chains arrive URL-encoded (PEM). The result is the same CollateralFiles / Collateral that
// LoadCollateralDirectory produces, JSON bytes kept exactly as served for the signature checks.
// Nothing is trusted here: dcap_verifier checks every signature and validity period.
// Errors name the request: NotFound (HTTP 404), Unavailable (no connection, 5xx, 429),
// FailedPrecondition (other HTTP errors), InvalidArgument (missing header, malformed body or
// chain, TCB Info for another FMSPC), ResourceExhausted (response over the size limit),
// PermissionDenied (the server's TLS certificate was refused), DeadlineExceeded (timeouts).
// Thread-safe: requests are serialised over one keep-alive connection.
#ifndef S3ML_ATTEST_PCCS_CLIENT_H_
#define S3ML_ATTEST_PCCS_CLIENT_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "attest/collateral.h"
#include "attest/sgx_quote.h"
#include "core/status.h"
#include "net/http_client.h"

namespace s3ml::attest {

// Which PCK CA issued a platform's PCK certificate (selects the PCK CRL).
enum class PckCaType { kProcessor, kPlatform };
std::string_view PckCaTypeName(PckCaType type);  // "processor" / "platform", as in ?ca=

// What identifies the collateral a quote needs.
struct CollateralKey {
  std::array<uint8_t, 6> fmspc{};
  PckCaType ca = PckCaType::kProcessor;
};

// Reads the FMSPC from the PCK leaf's SGX extension and the CA type from its issuer's common name
// ("Intel SGX PCK Processor CA" / "Intel SGX PCK Platform CA"); InvalidArgument otherwise.
Result<CollateralKey> CollateralKeyOf(const SgxQuote& quote);

struct PccsClientOptions {
  // "https://host[:port][/path-prefix]"; the v4 paths are appended to the prefix.
  std::string base_url;
  // Pinned CA certificate(s) of the PCCS's TLS certificate (PEM). Empty = the system's default
  // trust store (OpenSSL's default certificate file), as for the public Intel PCS.
  std::string ca_pem;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{30'000};
  // Per response body; real TCB Info is ~5 KB and a large PCK CRL some hundred KB.
  uint64_t max_response_bytes = 1 << 20;
};

class PccsClient {
 public:
  // InvalidArgument for a malformed base URL (not https, no host, bad port) or CA PEM;
  // FailedPrecondition when the system trust store is wanted but cannot be read.
  static Result<std::unique_ptr<PccsClient>> Create(const PccsClientOptions& options);

  PccsClient(const PccsClient&) = delete;
  PccsClient& operator=(const PccsClient&) = delete;

  // The four responses, raw, with the issuer chains URL-decoded and CRLs decoded to DER/PEM bytes.
  Result<CollateralFiles> FetchCollateralFiles(const CollateralKey& key);
  // FetchCollateralFiles, parsed; also checks that the TCB Info is for key.fmspc. When `raw` is
  // given it receives the files (for caching), only if the result is ok.
  Result<Collateral> FetchCollateral(const CollateralKey& key, CollateralFiles* raw = nullptr);

  // HTTP requests sent so far (for callers' diagnostics and tests).
  uint64_t requests_sent() const;
  const std::string& base_url() const { return base_url_; }

 private:
  PccsClient(std::string base_url, std::string path_prefix, std::unique_ptr<net::HttpClient> http);

  struct Reply {
    std::string body;
    std::string issuer_chain_pem;  // URL-decoded; empty when no header was asked for
  };
  // GET prefix+target; requires HTTP 200 and, when header_names is non-empty, one of them.
  Result<Reply> Get(const std::string& target, std::initializer_list<std::string_view> header_names);

  std::string base_url_;
  std::string path_prefix_;
  mutable std::mutex mutex_;
  std::unique_ptr<net::HttpClient> http_;  // guarded by mutex_
  uint64_t requests_sent_ = 0;             // guarded by mutex_
};

// Percent-decodes an HTTP header value. '+' stays '+': PEM base64 uses it literally, so treating
// it as a space (form encoding) would corrupt certificates. InvalidArgument for a bad escape.
Result<std::string> PercentDecode(std::string_view text);

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_PCCS_CLIENT_H_
