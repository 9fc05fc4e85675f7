// Client attestation (docs/protocol.md "Client attestation"): GET /v1/attestation?nonce=<hex>.
//
// The ECS quotes report_data[0..32] = SHA-256(root CA DER || manifest_sha256 (32 raw bytes, zeros
// before the first manifest) || nonce), report_data[32..64] = 0, so a client that checks the
// quote, the ECS identity and this binding knows the root CA and manifest come from that enclave
// and are fresh (its own nonce).
#ifndef S3ML_ECS_CLIENT_ATTESTATION_H_
#define S3ML_ECS_CLIENT_ATTESTATION_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "crypto/digest.h"
#include "tee/platform.h"

namespace s3ml::ecs {

inline constexpr size_t kMinNonceBytes = 16;
inline constexpr size_t kMaxNonceBytes = 64;

// The nonce from a query string "nonce=<hex>" (other parameters are refused): 16..64 bytes.
Result<std::vector<uint8_t>> ParseNonceQuery(std::string_view query);

std::array<uint8_t, tee::kReportDataSize> AttestationReportData(std::span<const uint8_t> root_der,
                                                                const crypto::Sha256Digest& manifest_sha256,
                                                                std::span<const uint8_t> nonce);

// Quotes through `platform` and builds the JSON answer. `manifest` is nullopt before the first one.
Result<nlohmann::json> BuildAttestationResponse(tee::Platform& platform, const std::string& root_pem,
                                                std::span<const uint8_t> root_der,
                                                const std::optional<std::string>& manifest,
                                                std::span<const uint8_t> nonce);

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_CLIENT_ATTESTATION_H_
