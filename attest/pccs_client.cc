#include "attest/pccs_client.h"

#include <openssl/x509.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>

#include "attest/pck_extension.h"
#include "core/file.h"
#include "core/hex.h"
#include "crypto/x509_certificate.h"

namespace s3ml::attest {
namespace {

constexpr std::string_view kApiPath = "/sgx/certification/v4";
constexpr size_t kMaxTrustStoreBytes = 8 << 20;

struct ParsedUrl {
  std::string host;
  uint16_t port = 443;
  std::string path_prefix;  // without a trailing '/'
};

Result<ParsedUrl> ParseBaseUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return InvalidArgument("PCCS URL '" + std::string(url) + "' must start with https://");
  }
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  ParsedUrl parsed;
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    if (path.find_first_of("?#") != std::string_view::npos) {
      return InvalidArgument("PCCS URL '" + std::string(url) + "' must not have a query or fragment");
    }
    parsed.path_prefix = std::string(path);
  }
  std::string_view host = authority;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgument("PCCS URL '" + std::string(url) + "' has an unclosed [");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return InvalidArgument("PCCS URL '" + std::string(url) + "' has junk after ]");
      port = after.substr(1);
      has_port = true;
    }
  } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    has_port = true;
  }
  if (host.empty() || host.find('@') != std::string_view::npos) {
    return InvalidArgument("PCCS URL '" + std::string(url) + "' has no usable host");
  }
  parsed.host = std::string(host);
  if (has_port) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return InvalidArgument("PCCS URL '" + std::string(url) + "' has a bad port '" + std::string(port) + "'");
    }
    parsed.port = static_cast<uint16_t>(value);
  }
  return parsed;
}

Result<std::string> SystemTrustStorePem() {
  // OpenSSL's compiled-in default bundle (Debian: /usr/lib/ssl/cert.pem -> ca-certificates).
  const char* env = X509_get_default_cert_file_env();
  const char* from_env = env != nullptr ? std::getenv(env) : nullptr;
  std::string path = from_env != nullptr ? from_env : X509_get_default_cert_file();
  auto pem = ReadFileText(path, kMaxTrustStoreBytes);
  if (!pem.ok()) {
    return FailedPrecondition("system default trust store " + path + " is unusable: " + pem.status().message());
  }
  return pem;
}

bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// PCCS serves CRLs hex-encoded (rootcacrl, pckcrl without encoding=der), the PCS as DER, some
// proxies as PEM. DER can never be all hex digits: its first byte 0x30 is followed by a length
// byte >= 0x80 for any real CRL, and PEM starts with '-'.
Result<std::vector<uint8_t>> DecodeCrlBody(std::string_view body, std::string_view what) {
  std::string_view trimmed = body;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.remove_suffix(1);
  if (trimmed.empty()) return InvalidArgument(std::string(what) + ": empty CRL body");
  bool all_hex = true;
  for (char c : trimmed) all_hex = all_hex && IsHexDigit(c);
  if (all_hex) {
    auto der = HexDecode(trimmed);
    if (!der.ok()) return der.status().WithContext(std::string(what) + ": hex CRL body");
    return der;
  }
  return std::vector<uint8_t>(body.begin(), body.end());
}

Status HttpError(int status, const std::string& target, std::string_view body) {
  std::string excerpt;
  for (char c : body.substr(0, 200)) excerpt += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  std::string message = "PCCS GET " + target + ": HTTP " + std::to_string(status) +
                        (excerpt.empty() ? "" : " (" + excerpt + ")");
  if (status == 404) return NotFound(std::move(message));
  if (status == 429 || status >= 500) return Unavailable(std::move(message));
  return FailedPrecondition(std::move(message));
}

}  // namespace

std::string_view PckCaTypeName(PckCaType type) {
  return type == PckCaType::kPlatform ? "platform" : "processor";
}

Result<CollateralKey> CollateralKeyOf(const SgxQuote& quote) {
  auto chain = crypto::ParsePemCertificateChain(quote.pck_chain_pem, 4);
  if (!chain.ok()) return chain.status().WithContext("quote PCK chain");
  if (chain->size() < 2) return InvalidArgument("quote PCK chain has no PCK CA certificate");
  auto extension = SgxPckExtensionOf((*chain)[0]);
  if (!extension.ok()) return extension.status().WithContext("quote PCK certificate");
  CollateralKey key;
  key.fmspc = extension->fmspc;
  std::string issuer = (*chain)[1].SubjectCommonName();
  if (issuer == "Intel SGX PCK Processor CA") {
    key.ca = PckCaType::kProcessor;
  } else if (issuer == "Intel SGX PCK Platform CA") {
    key.ca = PckCaType::kPlatform;
  } else {
    return InvalidArgument("quote PCK issuer '" + issuer + "' is neither the PCK Processor nor the Platform CA");
  }
  return key;
}

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) {
      return InvalidArgument("truncated %-escape at offset " + std::to_string(i));
    }
    if (!IsHexDigit(text[i + 1]) || !IsHexDigit(text[i + 2])) {
      return InvalidArgument("bad %-escape at offset " + std::to_string(i));
    }
    auto byte = HexDecode(text.substr(i + 1, 2));
    if (!byte.ok()) return byte.status();
    out += static_cast<char>((*byte)[0]);
    i += 2;
  }
  return out;
}

Result<std::unique_ptr<PccsClient>> PccsClient::Create(const PccsClientOptions& options) {
  S3ML_ASSIGN_OR_RETURN(ParsedUrl url, ParseBaseUrl(options.base_url));
  net::TlsClientOptions tls;
  if (options.ca_pem.empty()) {
    S3ML_ASSIGN_OR_RETURN(tls.root_pem, SystemTrustStorePem());
  } else {
    tls.root_pem = options.ca_pem;
  }
  // Existing PCCS deployments and the PCS may still offer TLS 1.2 only; the collateral is signed
  // by Intel and verified separately, so TLS here protects availability and privacy, not trust.
  tls.allow_tls12 = true;
  auto context = net::TlsContext::CreateClient(tls);
  if (!context.ok()) return context.status().WithContext("PCCS TLS trust");
  net::HttpClientOptions http;
  http.tls = std::move(context).value();
  http.connect_timeout = options.connect_timeout;
  http.request_timeout = options.request_timeout;
  http.max_response_body_bytes = options.max_response_bytes;
  auto client = std::make_unique<net::HttpClient>(url.host, url.port, std::move(http));
  return std::unique_ptr<PccsClient>(new PccsClient(options.base_url, url.path_prefix, std::move(client)));
}

PccsClient::PccsClient(std::string base_url, std::string path_prefix, std::unique_ptr<net::HttpClient> http)
    : base_url_(std::move(base_url)), path_prefix_(std::move(path_prefix)), http_(std::move(http)) {}

uint64_t PccsClient::requests_sent() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_sent_;
}

Result<PccsClient::Reply> PccsClient::Get(const std::string& target,
                                          std::initializer_list<std::string_view> header_names) {
  std::string full_target = path_prefix_ + std::string(kApiPath) + target;
  Result<net::HttpResponse> response = [&] {
    std::lock_guard<std::mutex> lock(mutex_);
    ++requests_sent_;
    return http_->Get(full_target);
  }();
  if (!response.ok()) return response.status().WithContext("PCCS GET " + full_target);
  if (response->status != 200) return HttpError(response->status, full_target, response->body);
  Reply reply;
  reply.body = std::move(response->body);
  if (header_names.size() == 0) return reply;
  std::optional<std::string_view> header;
  for (std::string_view name : header_names) {
    header = response->headers.Get(name);
    if (header) break;
  }
  if (!header) {
    return InvalidArgument("PCCS GET " + full_target + ": missing header " + std::string(*header_names.begin()));
  }
  auto pem = PercentDecode(*header);
  if (!pem.ok()) return pem.status().WithContext("PCCS GET " + full_target + ": header " + std::string(*header_names.begin()));
  reply.issuer_chain_pem = std::move(pem).value();
  return reply;
}

Result<CollateralFiles> PccsClient::FetchCollateralFiles(const CollateralKey& key) {
  CollateralFiles files;
  // v3 named the TCB Info header "SGX-TCB-Info-Issuer-Chain"; v4 "TCB-Info-Issuer-Chain".
  S3ML_ASSIGN_OR_RETURN(Reply tcb, Get("/tcb?fmspc=" + HexEncode(key.fmspc),
                                       {"TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"}));
  files.tcb_info_json = std::move(tcb.body);
  files.tcb_info_issuer_chain_pem = std::move(tcb.issuer_chain_pem);

  S3ML_ASSIGN_OR_RETURN(Reply qe, Get("/qe/identity", {"SGX-Enclave-Identity-Issuer-Chain"}));
  files.qe_identity_json = std::move(qe.body);
  files.qe_identity_issuer_chain_pem = std::move(qe.issuer_chain_pem);

  std::string pck_target = "/pckcrl?ca=" + std::string(PckCaTypeName(key.ca)) + "&encoding=der";
  S3ML_ASSIGN_OR_RETURN(Reply pck, Get(pck_target, {"SGX-PCK-CRL-Issuer-Chain"}));
  S3ML_ASSIGN_OR_RETURN(files.pck_crl, DecodeCrlBody(pck.body, "PCCS GET " + pck_target));
  files.pck_crl_issuer_chain_pem = std::move(pck.issuer_chain_pem);

  S3ML_ASSIGN_OR_RETURN(Reply root, Get("/rootcacrl", {}));
  S3ML_ASSIGN_OR_RETURN(files.root_ca_crl, DecodeCrlBody(root.body, "PCCS GET /rootcacrl"));
  return files;
}

Result<Collateral> PccsClient::FetchCollateral(const CollateralKey& key, CollateralFiles* raw) {
  S3ML_ASSIGN_OR_RETURN(CollateralFiles files, FetchCollateralFiles(key));
  auto collateral = ParseCollateral(files);
  if (!collateral.ok()) return collateral.status().WithContext("PCCS " + base_url_);
  if (collateral->tcb_info.fmspc != key.fmspc) {
    return InvalidArgument("PCCS " + base_url_ + ": TCB Info is for FMSPC " + HexEncode(collateral->tcb_info.fmspc) +
                           ", asked for " + HexEncode(key.fmspc));
  }
  if (raw != nullptr) *raw = std::move(files);
  return collateral;
}

}  // namespace s3ml::attest
