#include "client/ecs_attestation.h"

#include <algorithm>
#include <any>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "attest/ratls_certificate.h"
#include "attest/sgx_quote.h"
#include "core/base64.h"
#include "client/http_error.h"
#include "core/hex.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "crypto/x509_certificate.h"
#include "net/http_client.h"

namespace s3ml::client {
namespace {

constexpr size_t kNonceSize = 32;
constexpr size_t kMaxRootPem = 64 * 1024;
constexpr size_t kMaxManifestBytes = 1 << 20;

attest::EnclaveIdentity IdentityOf(const attest::SgxReportBody& body) {
  attest::EnclaveIdentity id;
  id.mrenclave = body.mrenclave;
  id.mrsigner = body.mrsigner;
  id.isv_prod_id = body.isv_prod_id;
  id.isv_svn = body.isv_svn;
  id.debug = body.debug();
  id.report_data = body.report_data;
  return id;
}

// The handshake check: the RA-TLS verifier, with collateral looked up for this quote's platform
// (FMSPC and PCK CA type) and the policy for its product id.
Status VerifyEcsCertificate(const EcsTrust& trust, const net::CertificateChain& chain, std::any& claims) {
  if (chain.size() != 1) {
    return PermissionDenied("ECS TLS certificate: expected one self-signed RA-TLS certificate, got " +
                            std::to_string(chain.size()));
  }
  auto parsed = attest::ParseRaTlsCertificate(chain.front());
  if (!parsed.ok()) return PermissionDenied("ECS TLS certificate: " + parsed.status().message());
  attest::RaTlsVerifierOptions options;
  options.anchors = trust.anchors;
  options.collateral = trust.collateral;
  options.policy = PolicyFor(trust, IdentityOf(parsed->quote.report_body));
  options.clock = trust.clock;
  S3ML_ASSIGN_OR_RETURN(auto verifier, attest::RaTlsVerifier::Create(std::move(options)));
  Status status = verifier.AsPeerVerifier()(chain, claims);
  if (!status.ok()) return status.WithContext("ECS TLS certificate");
  return status;
}

Result<std::array<uint8_t, 32>> Hex32(const nlohmann::json& answer, const char* member) {
  auto it = answer.find(member);
  if (it == answer.end() || !it->is_string()) return InvalidArgument(std::string("attestation answer: ") + member + " missing or not a string");
  auto bytes = HexDecode(it->get<std::string>());
  if (!bytes.ok() || bytes->size() != 32) return InvalidArgument(std::string("attestation answer: ") + member + " is not 32 bytes of hex");
  std::array<uint8_t, 32> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

bool SameEnclave(const attest::EnclaveIdentity& a, const attest::EnclaveIdentity& b) {
  return a.mrenclave == b.mrenclave && a.mrsigner == b.mrsigner && a.isv_prod_id == b.isv_prod_id &&
         a.isv_svn == b.isv_svn && a.debug == b.debug;
}

std::string SafeFileComponent(std::string text) {
  for (char& c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!ok) c = '_';
  }
  return text;
}

}  // namespace

Result<EcsTrust> MakeEcsTrust(const EcsAttestationOptions& options) {
  if (options.clock == nullptr) return InvalidArgument("ECS attestation: no clock");
  const ExpectedEcs& expected = options.expected;
  if (expected.mrenclave.has_value() == expected.mrsigner.has_value()) {
    return InvalidArgument("ECS attestation: expect exactly one of an MRENCLAVE or an MRSIGNER");
  }
  EcsTrust trust;
  trust.clock = options.clock;
  trust.expected = expected;
  trust.allow_simulated = options.allow_simulated;
  trust.anchors = attest::TrustAnchors::IntelOnly();
  if (options.allow_simulated) {
    if (options.sim_root_pem.empty()) return InvalidArgument("ECS attestation: allow_simulated needs the simulated root CA");
    auto root = crypto::X509Certificate::FromPem(options.sim_root_pem);
    if (!root.ok()) return root.status().WithContext("simulated root CA");
    S3ML_RETURN_IF_ERROR(trust.anchors.AddRootCertificate(*root, /*simulated=*/true).WithContext("simulated root CA"));
  } else if (!options.sim_root_pem.empty()) {
    return InvalidArgument("ECS attestation: a simulated root is only trusted with allow_simulated");
  }
  if (options.collateral_source != nullptr) {
    trust.collateral = options.collateral_source;
  } else {
    S3ML_ASSIGN_OR_RETURN(trust.collateral, attest::MakeCollateralSource(options.collateral, options.clock));
  }
  attest::AttestationPolicy& policy = trust.policy;
  if (expected.mrenclave) policy.allowed_mrenclaves.push_back(*expected.mrenclave);
  if (expected.mrsigner) {
    policy.allowed_signers.push_back({*expected.mrsigner, expected.isv_prod_id.value_or(0), expected.min_isv_svn});
  }
  policy.allow_debug = expected.allow_debug;
  policy.allow_simulated = options.allow_simulated;
  if (!expected.accepted_tcb_statuses.empty()) policy.accepted_tcb_statuses = expected.accepted_tcb_statuses;
  return trust;
}

attest::AttestationPolicy PolicyFor(const EcsTrust& trust, const attest::EnclaveIdentity& quoted) {
  attest::AttestationPolicy policy = trust.policy;
  if (trust.expected.mrsigner && !trust.expected.isv_prod_id) {
    // "Any product of this signer": take the quote's product id; MRSIGNER and ISVSVN still decide.
    for (auto& signer : policy.allowed_signers) signer.isv_prod_id = quoted.isv_prod_id;
  }
  return policy;
}

Result<std::shared_ptr<const net::TlsContext>> MakeEcsTlsContext(const EcsTrust& trust,
                                                                 const std::string& client_certificate_pem,
                                                                 const std::string& client_key_pem) {
  if (trust.collateral == nullptr || trust.clock == nullptr) return InvalidArgument("ECS TLS: incomplete trust");
  net::TlsClientOptions tls;
  auto shared = std::make_shared<const EcsTrust>(trust);
  tls.verifier = [shared](const net::CertificateChain& chain, std::any& claims) {
    return VerifyEcsCertificate(*shared, chain, claims);
  };
  tls.certificate_chain_pem = client_certificate_pem;
  tls.private_key_pem = client_key_pem;
  tls.clock = trust.clock;
  return net::TlsContext::CreateClient(tls);
}

Result<AttestedEcs> VerifyEcsAttestationAnswer(const EcsTrust& trust, const std::string& answer_json,
                                               const std::array<uint8_t, 32>& nonce,
                                               const attest::RaTlsPeerIdentity* tls_identity) {
  nlohmann::json answer = nlohmann::json::parse(answer_json, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object()) return InvalidArgument("attestation answer is not a JSON object");

  // The quote: DCAP with collateral, then the expected identity.
  auto quote_member = answer.find("quote");
  if (quote_member == answer.end() || !quote_member->is_string()) return InvalidArgument("attestation answer: quote missing or not a string");
  if (quote_member->get_ref<const std::string&>().size() > 2 * attest::kMaxSgxQuoteSize) {
    return InvalidArgument("attestation answer: quote too large");
  }
  auto quote_bytes = Base64Decode(quote_member->get<std::string>());
  if (!quote_bytes.ok()) return quote_bytes.status().WithContext("attestation answer: quote");
  auto quote = attest::ParseSgxQuote(*quote_bytes);
  if (!quote.ok()) return quote.status().WithContext("attestation answer: quote");
  auto collateral = trust.collateral->CollateralFor(*quote);
  if (!collateral.ok()) return collateral.status().WithContext("attestation quote: collateral");
  const int64_t now = trust.clock->NowUnixSeconds();
  auto verified = attest::VerifyDcapQuote(*quote, *collateral, trust.anchors, now);
  if (!verified.ok()) return verified.status().WithContext("attestation quote: DCAP verification");
  S3ML_RETURN_IF_ERROR(PolicyFor(trust, verified->identity).Check(*verified).WithContext("attestation quote: expected ECS identity"));
  if (tls_identity != nullptr && !SameEnclave(tls_identity->enclave, verified->identity)) {
    return PermissionDenied("attestation quote: comes from another enclave than the ECS's TLS certificate");
  }

  // The root CA.
  auto root_member = answer.find("root_ca_pem");
  if (root_member == answer.end() || !root_member->is_string()) return InvalidArgument("attestation answer: root_ca_pem missing or not a string");
  const std::string& root_pem = root_member->get_ref<const std::string&>();
  if (root_pem.size() > kMaxRootPem) return InvalidArgument("attestation answer: root_ca_pem too large");
  auto roots = crypto::SplitPemCertificates(root_pem, 2);
  if (!roots.ok() || roots->size() != 1) return InvalidArgument("attestation answer: root_ca_pem is not exactly one PEM certificate");
  auto root = crypto::X509Certificate::FromDer(roots->front());
  if (!root.ok()) return root.status().WithContext("attestation answer: root_ca_pem");
  S3ML_RETURN_IF_ERROR(root->CheckValidAt(now).WithContext("attestation answer: root CA"));

  // The manifest and its hash.
  S3ML_ASSIGN_OR_RETURN(auto manifest_sha256, Hex32(answer, "manifest_sha256"));
  std::optional<std::string> manifest;
  auto manifest_member = answer.find("manifest");
  if (manifest_member == answer.end()) return InvalidArgument("attestation answer: manifest missing (null before the first)");
  if (manifest_member->is_null()) {
    if (manifest_sha256 != std::array<uint8_t, 32>{}) {
      return PermissionDenied("attestation answer: no manifest but a non-zero manifest_sha256");
    }
  } else {
    if (!manifest_member->is_string()) return InvalidArgument("attestation answer: manifest is not a string");
    if (manifest_member->get_ref<const std::string&>().size() > 2 * kMaxManifestBytes) return InvalidArgument("attestation answer: manifest too large");
    auto bytes = Base64Decode(manifest_member->get<std::string>());
    if (!bytes.ok()) return bytes.status().WithContext("attestation answer: manifest");
    crypto::Sha256Digest hash = crypto::Sha256(*bytes);
    if (!std::equal(hash.begin(), hash.end(), manifest_sha256.begin())) {
      return PermissionDenied("attestation answer: SHA-256 of the manifest is not manifest_sha256");
    }
    manifest = std::string(bytes->begin(), bytes->end());
  }

  // The binding: this quote was made for this root, this manifest and our nonce.
  std::vector<uint8_t> root_der = root->Der();
  crypto::Digester digester(crypto::DigestAlgorithm::kSha256);
  digester.Update(root_der).Update(manifest_sha256).Update(nonce);
  std::vector<uint8_t> binding = digester.Finish();
  const auto& report_data = verified->identity.report_data;
  if (!std::equal(binding.begin(), binding.end(), report_data.begin()) ||
      !std::all_of(report_data.begin() + 32, report_data.end(), [](uint8_t b) { return b == 0; })) {
    return PermissionDenied(
        "attestation quote: report_data does not bind SHA-256(root CA || manifest_sha256 || nonce) (a replayed "
        "answer, or another root or manifest)");
  }

  AttestedEcs attested;
  attested.root_ca_pem = root_pem;
  attested.root_ca_der = std::move(root_der);
  attested.manifest = std::move(manifest);
  attested.manifest_sha256 = manifest_sha256;
  attested.quote = std::move(verified).value();
  if (tls_identity != nullptr) attested.tls_identity = *tls_identity;
  attested.nonce = nonce;
  return attested;
}

Result<AttestedEcs> AttestEcs(const EcsAttestationOptions& options) {
  S3ML_ASSIGN_OR_RETURN(EcsEndpoint endpoint, ParseHttpsUrl(options.ecs_url));
  S3ML_ASSIGN_OR_RETURN(EcsTrust trust, MakeEcsTrust(options));
  S3ML_ASSIGN_OR_RETURN(auto tls, MakeEcsTlsContext(trust));
  net::HttpClientOptions http_options;
  http_options.tls = tls;
  http_options.connect_timeout = options.connect_timeout;
  http_options.request_timeout = options.request_timeout;
  http_options.max_response_body_bytes = 4 * kMaxManifestBytes;
  net::HttpClient http(endpoint.host, endpoint.port, http_options);

  std::array<uint8_t, kNonceSize> nonce{};
  S3ML_RETURN_IF_ERROR(crypto::FillRandom(nonce));
  auto response = http.Get("/v1/attestation?nonce=" + HexEncode(nonce));
  if (!response.ok()) return response.status().WithContext("ECS " + EndpointString(endpoint));
  if (response->status != 200) {
    return HttpErrorStatus("ECS " + EndpointString(endpoint) + " GET /v1/attestation", *response);
  }
  auto peer = http.peer();
  const auto* tls_identity = peer ? std::any_cast<attest::RaTlsPeerIdentity>(&peer->claims) : nullptr;
  if (tls_identity == nullptr) return Internal("ECS TLS connection has no verified RA-TLS identity");
  S3ML_ASSIGN_OR_RETURN(AttestedEcs attested, VerifyEcsAttestationAnswer(trust, response->body, nonce, tls_identity));
  attested.endpoint = endpoint;
  return attested;
}

std::string DefaultRootPath(const EcsEndpoint& endpoint) {
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  std::string base;
  if (xdg != nullptr && xdg[0] == '/') {
    base = xdg;
  } else {
    const char* home = std::getenv("HOME");
    base = std::string(home != nullptr ? home : ".") + "/.config";
  }
  return base + "/s3ml/roots/" + SafeFileComponent(endpoint.host) + "_" + std::to_string(endpoint.port) + ".pem";
}

}  // namespace s3ml::client
