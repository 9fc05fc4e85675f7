#include "serving/ecs_trust.h"

#include "attest/collateral_options.h"
#include "core/hex.h"
#include "crypto/x509_certificate.h"

namespace s3ml::serving {
namespace {

Result<std::array<uint8_t, 32>> Measurement(const std::string& hex, const char* flag) {
  Result<std::vector<uint8_t>> bytes = HexDecode(hex);
  if (!bytes.ok() || bytes.value().size() != 32) {
    return InvalidArgument(std::string(flag) + " must be 64 hex digits");
  }
  std::array<uint8_t, 32> out{};
  std::copy(bytes.value().begin(), bytes.value().end(), out.begin());
  return out;
}

}  // namespace

Result<attest::RaTlsVerifierOptions> MakeEcsVerifierOptions(const EcsTrustOptions& options) {
  if (options.clock == nullptr) return InvalidArgument("ECS trust needs a clock");
  if (options.mrenclave_hex.empty() == options.mrsigner_hex.empty()) {
    return InvalidArgument("give exactly one of --ecs-mrenclave and --ecs-mrsigner");
  }
  if (options.collateral_dir.empty() == options.pccs_url.empty()) {
    return InvalidArgument("give exactly one of --collateral and --pccs");
  }
  attest::RaTlsVerifierOptions out;
  out.clock = options.clock;
  if (!options.mrenclave_hex.empty()) {
    using Digest = std::array<uint8_t, 32>;
    S3ML_ASSIGN_OR_RETURN(Digest mrenclave, Measurement(options.mrenclave_hex, "--ecs-mrenclave"));
    out.policy.allowed_mrenclaves.push_back(mrenclave);
  } else {
    attest::SignerRule rule;
    S3ML_ASSIGN_OR_RETURN(rule.mrsigner, Measurement(options.mrsigner_hex, "--ecs-mrsigner"));
    rule.isv_prod_id = options.isv_prod_id;
    rule.min_isv_svn = options.min_isv_svn;
    out.policy.allowed_signers.push_back(rule);
  }
  out.anchors = attest::TrustAnchors::IntelOnly();
  if (!options.sim_root_pem.empty()) {
    if (!options.allow_simulated) return InvalidArgument("--sim-root is only trusted together with --allow-sim");
    Result<crypto::X509Certificate> root = crypto::X509Certificate::FromPem(options.sim_root_pem);
    if (!root.ok()) return root.status().WithContext("--sim-root");
    Status added = out.anchors.AddRootCertificate(root.value(), /*simulated=*/true);
    if (!added.ok()) return added.WithContext("--sim-root");
  }
  out.policy.allow_simulated = options.allow_simulated;
  attest::CollateralOptions collateral;
  collateral.directory = options.collateral_dir;
  collateral.pccs_url = options.pccs_url;
  collateral.pccs_ca_pem = options.pccs_ca_pem;
  collateral.cache_directory = options.collateral_cache_dir;
  Result<std::shared_ptr<attest::CollateralSource>> source = attest::MakeCollateralSource(collateral, options.clock);
  if (!source.ok()) return source.status().WithContext(options.collateral_dir.empty() ? "--pccs" : "--collateral");
  out.collateral = std::move(source).value();
  return out;
}

}  // namespace s3ml::serving
