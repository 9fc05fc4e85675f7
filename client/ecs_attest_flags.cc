#include "client/ecs_attest_flags.h"

#include <algorithm>

#include "core/file.h"
#include "core/hex.h"

namespace s3ml::client {
namespace {

Result<std::array<uint8_t, 32>> ParseMeasurement(const std::string& hex, const char* flag) {
  auto bytes = HexDecode(hex);
  if (!bytes.ok() || bytes->size() != 32) return InvalidArgument(std::string(flag) + " must be 64 hex digits");
  std::array<uint8_t, 32> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

}  // namespace

Result<EcsAttestationOptions> EcsAttestationOptionsFrom(const EcsAttestFlags& flags, const Clock* clock) {
  EcsAttestationOptions options;
  if (flags.ecs_url.empty()) return InvalidArgument("--ecs URL is required");
  options.ecs_url = flags.ecs_url;
  if (flags.expect_mrenclave.empty() == flags.expect_mrsigner.empty()) {
    return InvalidArgument("give exactly one of --expect-mrenclave HEX or --expect-mrsigner HEX");
  }
  if (!flags.expect_mrenclave.empty()) {
    S3ML_ASSIGN_OR_RETURN(options.expected.mrenclave, ParseMeasurement(flags.expect_mrenclave, "--expect-mrenclave"));
    if (flags.expect_isvprodid >= 0 || flags.min_isvsvn != 0) {
      return InvalidArgument("--expect-isvprodid and --min-isvsvn go with --expect-mrsigner");
    }
  } else {
    S3ML_ASSIGN_OR_RETURN(options.expected.mrsigner, ParseMeasurement(flags.expect_mrsigner, "--expect-mrsigner"));
    if (flags.expect_isvprodid > 65535) return InvalidArgument("--expect-isvprodid must be 0..65535");
    if (flags.expect_isvprodid >= 0) options.expected.isv_prod_id = static_cast<uint16_t>(flags.expect_isvprodid);
    if (flags.min_isvsvn < 0 || flags.min_isvsvn > 65535) return InvalidArgument("--min-isvsvn must be 0..65535");
    options.expected.min_isv_svn = static_cast<uint16_t>(flags.min_isvsvn);
  }
  for (const std::string& name : flags.accept_tcb) {
    auto status = attest::ParseTcbStatus(name);
    if (!status.ok()) return InvalidArgument("--accept-tcb: unknown TCB status '" + name + "'");
    options.expected.accepted_tcb_statuses.push_back(*status);
  }
  if (flags.collateral.directory.empty() == flags.collateral.pccs_url.empty()) {
    return InvalidArgument("give either --collateral DIR or --pccs URL");
  }
  options.collateral = flags.collateral;
  if (!flags.sim_root_path.empty() && !flags.allow_sim) {
    return InvalidArgument("--sim-root is only trusted together with --allow-sim");
  }
  options.allow_simulated = flags.allow_sim;
  if (flags.allow_sim) {
    if (flags.sim_root_path.empty()) return InvalidArgument("--allow-sim needs --sim-root PEM (the simulated platform's root CA)");
    auto pem = ReadFileText(flags.sim_root_path, 1 << 20);
    if (!pem.ok()) return pem.status().WithContext("--sim-root");
    options.sim_root_pem = std::move(pem).value();
  }
  if (flags.timeout_seconds < 1) return InvalidArgument("--timeout must be at least 1 second");
  options.request_timeout = std::chrono::seconds(flags.timeout_seconds);
  options.connect_timeout = std::min<std::chrono::milliseconds>(options.request_timeout, std::chrono::seconds(10));
  options.clock = clock;
  return options;
}

}  // namespace s3ml::client
