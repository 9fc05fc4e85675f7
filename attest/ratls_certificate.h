// RA-TLS certificates: a TLS certificate that proves it belongs to an enclave.
//
// CreateRaTlsCertificate makes a fresh EC key and a self-signed X.509 certificate for it whose
// extension 1.2.840.113741.1337.6 (Gramine's RA-TLS OID, non-critical) carries the raw bytes of an
// SGX quote of the calling enclave, with report_data[0..32] = SHA-256(DER SubjectPublicKeyInfo)
// and report_data[32..64] = zero or a caller-given 32-byte binding. As in Gramine, the
// extension's extnValue OCTET STRING holds the quote bytes themselves, so Gramine's verifiers and
// ours read each other's certificates.
//
// ParseRaTlsCertificate reads an untrusted DER certificate and returns its quote (parsed) and
// SPKI. It checks structure only; trust comes from RaTlsVerifier (ratls_verifier.h). Errors are
// kInvalidArgument (kResourceExhausted for oversized input) and say which part was wrong:
// "not a DER certificate", "no RA-TLS quote extension", "RA-TLS quote extension is ...",
// "RA-TLS quote unparsable: ...".
#ifndef S3ML_ATTEST_RATLS_CERTIFICATE_H_
#define S3ML_ATTEST_RATLS_CERTIFICATE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "attest/sgx_quote.h"
#include "core/clock.h"
#include "core/status.h"
#include "crypto/ec_key.h"
#include "crypto/secret_bytes.h"
#include "crypto/x509_certificate.h"
#include "tee/platform.h"

namespace s3ml::attest {

inline constexpr char kRaTlsQuoteOid[] = "1.2.840.113741.1337.6";
// A certificate is a few hundred bytes plus one quote (real quotes are ~5 KB, at most
// kMaxSgxQuoteSize): anything larger is refused before OpenSSL parses it.
inline constexpr size_t kMaxRaTlsCertificateSize = kMaxSgxQuoteSize + 16 * 1024;

struct RaTlsCertificateOptions {
  std::string common_name = "s3ml RA-TLS";
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  // Valid from now - backdate (tolerates peers' clock skew) to now + lifetime.
  int64_t lifetime_seconds = 24 * 3600;
  int64_t backdate_seconds = 300;
  crypto::EcCurve curve = crypto::EcCurve::kP256;
  // Goes to report_data[32..64]; zeros when unset.
  std::optional<std::array<uint8_t, 32>> report_data_binding;
};

struct RaTlsCredentials {
  crypto::X509Certificate certificate;
  std::string certificate_pem;
  std::vector<uint8_t> certificate_der;
  crypto::EcKey private_key;
  crypto::SecretBytes private_key_pem;  // PKCS#8, for net::TlsServerOptions / TlsClientOptions
};

// REQUIRES: platform can quote. Errors of the platform (e.g. kUnavailable) are passed on with
// the context "RA-TLS quote"; bad options are kInvalidArgument naming the option.
Result<RaTlsCredentials> CreateRaTlsCertificate(tee::Platform& platform, const RaTlsCertificateOptions& options,
                                                const Clock& clock);

// The report data an RA-TLS quote must carry for this SPKI and binding.
std::array<uint8_t, tee::kReportDataSize> RaTlsReportData(std::span<const uint8_t> spki_der,
                                                          const std::array<uint8_t, 32>& binding);

struct ParsedRaTlsCertificate {
  crypto::X509Certificate certificate;
  std::vector<uint8_t> spki_der;
  std::vector<uint8_t> quote_bytes;
  SgxQuote quote;
};

Result<ParsedRaTlsCertificate> ParseRaTlsCertificate(std::span<const uint8_t> der);

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_RATLS_CERTIFICATE_H_
