#include "ecs/client_attestation.h"

#include <algorithm>

#include "core/base64.h"
#include "core/hex.h"

namespace s3ml::ecs {

Result<std::vector<uint8_t>> ParseNonceQuery(std::string_view query) {
  if (!query.starts_with("nonce=")) return InvalidArgument("query must be nonce=<hex, 16..64 bytes>");
  std::string_view hex = query.substr(6);
  if (hex.find('&') != std::string_view::npos) return InvalidArgument("only the nonce parameter is accepted");
  if (hex.size() > 2 * kMaxNonceBytes) return InvalidArgument("nonce is longer than 64 bytes");
  auto nonce = HexDecode(hex);
  if (!nonce.ok()) return nonce.status().WithContext("nonce");
  if (nonce->size() < kMinNonceBytes) {
    return InvalidArgument("nonce of " + std::to_string(nonce->size()) + " bytes is shorter than 16 bytes");
  }
  return nonce;
}

std::array<uint8_t, tee::kReportDataSize> AttestationReportData(std::span<const uint8_t> root_der,
                                                                const crypto::Sha256Digest& manifest_sha256,
                                                                std::span<const uint8_t> nonce) {
  crypto::Digester digester(crypto::DigestAlgorithm::kSha256);
  digester.Update(root_der).Update(manifest_sha256).Update(nonce);
  const std::vector<uint8_t> hash = digester.Finish();
  std::array<uint8_t, tee::kReportDataSize> report_data{};
  std::copy(hash.begin(), hash.end(), report_data.begin());
  return report_data;
}

Result<nlohmann::json> BuildAttestationResponse(tee::Platform& platform, const std::string& root_pem,
                                                std::span<const uint8_t> root_der,
                                                const std::optional<std::string>& manifest,
                                                std::span<const uint8_t> nonce) {
  crypto::Sha256Digest manifest_sha256{};
  if (manifest.has_value()) {
    manifest_sha256 = crypto::Sha256(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(manifest->data()), manifest->size()));
  }
  auto quote = platform.GetQuote(AttestationReportData(root_der, manifest_sha256, nonce));
  if (!quote.ok()) return quote.status().WithContext("ECS quote");
  nlohmann::json body;
  body["quote"] = Base64Encode(*quote);
  body["root_ca_pem"] = root_pem;
  body["manifest"] = manifest.has_value() ? nlohmann::json(Base64Encode(*manifest)) : nlohmann::json(nullptr);
  body["manifest_sha256"] = HexEncode(manifest_sha256);
  return body;
}

}  // namespace s3ml::ecs
