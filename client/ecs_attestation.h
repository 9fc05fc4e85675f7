// Attesting the Enclave Configuration Service (docs/protocol.md, "Client attestation").
//
// AttestEcs(options):
//   1. connects over TLS 1.3 and verifies the ECS's RA-TLS server certificate inside the
//      handshake (attest::RaTlsVerifier: quote, collateral, key binding, expected identity);
//   2. GET /v1/attestation?nonce=<fresh random 32 bytes, hex>;
//   3. verifies the answer's quote with DCAP and collateral, the expected identity (the same
//      policy), that it comes from the same enclave as the TLS certificate (MRENCLAVE, MRSIGNER,
//      ISVPRODID, ISVSVN), that SHA-256(manifest) == manifest_sha256 (or null manifest and zero
//      hash), and the binding report_data[0..32] = SHA-256(root CA DER || manifest_sha256 ||
//      nonce), report_data[32..64] = 0, and that the root CA is valid at the clock's time;
//   4. returns the root CA to pin and the manifest.
// Errors: kUnavailable / kDeadlineExceeded (cannot reach the ECS), kPermissionDenied (anything
// about trust: TLS certificate refused, quote, identity, binding, hash, other enclave), kOutOfRange
// (expired collateral), kInvalidArgument (bad options or a malformed answer, naming the field).
//
// The expected identity: MRENCLAVE (exact build) or MRSIGNER (any build of that signer, with
// ISVPRODID if given and ISVSVN >= min_isv_svn). DEBUG enclaves are refused unless allow_debug.
// A simulated platform root is trusted only with allow_simulated (and the sim root given).
#ifndef S3ML_CLIENT_ECS_ATTESTATION_H_
#define S3ML_CLIENT_ECS_ATTESTATION_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "attest/attestation_policy.h"
#include "attest/dcap_verifier.h"
#include "attest/ratls_verifier.h"
#include "attest/tcb_status.h"
#include "attest/trust_anchor.h"
#include "attest/collateral_options.h"
#include "attest/collateral_source.h"
#include "client/https_url.h"
#include "core/clock.h"
#include "core/status.h"
#include "net/tls_context.h"

namespace s3ml::client {

struct ExpectedEcs {
  std::optional<std::array<uint8_t, 32>> mrenclave;
  std::optional<std::array<uint8_t, 32>> mrsigner;
  std::optional<uint16_t> isv_prod_id;  // with mrsigner; unset = any product of the signer
  uint16_t min_isv_svn = 0;             // with mrsigner
  bool allow_debug = false;
  // Empty = the policy default (UpToDate, SWHardeningNeeded).
  std::vector<attest::TcbStatus> accepted_tcb_statuses;
};

struct EcsAttestationOptions {
  std::string ecs_url;  // "https://host:port"
  ExpectedEcs expected;
  // Collateral: `collateral_source` if set (shared, or a fixed one in tests), else built from
  // `collateral`.
  attest::CollateralOptions collateral;
  std::shared_ptr<attest::CollateralSource> collateral_source;
  bool allow_simulated = false;
  std::string sim_root_pem;  // the simulated platform's root CA; used only with allow_simulated
  const Clock* clock = nullptr;  // required; time of every validity check
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{30'000};
};

using EcsEndpoint = HttpsEndpoint;

struct AttestedEcs {
  EcsEndpoint endpoint;
  std::string root_ca_pem;          // pin this for the service (inference_client.h)
  std::vector<uint8_t> root_ca_der;
  std::optional<std::string> manifest;  // the exact bytes; nullopt before the first manifest
  std::array<uint8_t, 32> manifest_sha256{};
  attest::VerifiedQuote quote;             // the attestation quote: identity, TCB status, advisories
  attest::RaTlsPeerIdentity tls_identity;  // the TLS server certificate's enclave
  std::array<uint8_t, 32> nonce{};
};

// The trust decisions of `options` as reusable parts (ecs_client.h opens further connections
// with them).
struct EcsTrust {
  attest::TrustAnchors anchors;
  attest::AttestationPolicy policy;  // for quotes whose ISVPRODID is known; see PolicyFor
  std::shared_ptr<attest::CollateralSource> collateral;
  const Clock* clock = nullptr;
  ExpectedEcs expected;
  bool allow_simulated = false;
};
Result<EcsTrust> MakeEcsTrust(const EcsAttestationOptions& options);

// The policy for one quote: with an MRSIGNER expectation and no ISVPRODID, the quote's own
// ISVPRODID is accepted.
attest::AttestationPolicy PolicyFor(const EcsTrust& trust, const attest::EnclaveIdentity& quoted);

// A TLS client context that accepts only an ECS meeting `trust` (in the handshake) and presents
// the given client certificate (both empty: none).
Result<std::shared_ptr<const net::TlsContext>> MakeEcsTlsContext(const EcsTrust& trust,
                                                                 const std::string& client_certificate_pem = "",
                                                                 const std::string& client_key_pem = "");

Result<AttestedEcs> AttestEcs(const EcsAttestationOptions& options);

// Checks an attestation answer (step 3 above) with a given nonce; AttestEcs's core, exposed for
// tests and for callers that fetched the answer themselves. `tls_identity` may be null (then the
// same-enclave check is skipped).
Result<AttestedEcs> VerifyEcsAttestationAnswer(const EcsTrust& trust, const std::string& answer_json,
                                               const std::array<uint8_t, 32>& nonce,
                                               const attest::RaTlsPeerIdentity* tls_identity);

// Where `s3ml attest` stores a pinned root by default:
// $XDG_CONFIG_HOME/s3ml/roots/<host>_<port>.pem (XDG_CONFIG_HOME defaults to ~/.config).
std::string DefaultRootPath(const EcsEndpoint& endpoint);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_ECS_ATTESTATION_H_
