// `s3ml quote verify`: verifies an SGX DCAP quote v3 against collateral from a directory (laid
// out as testdata/sgx/<sample>/) or a PCCS (cached on disk until nextUpdate), as of now or --at, pinned to Intel's SGX Root CA (plus a
// simulated root with --allow-sim --sim-root), then optionally applies a policy file.
// Prints the verified identity, TCB status and advisories (exit 0), or the reason (exit 1 for a
// failed verification, 2 for a policy refusal).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "apps/s3ml/command.h"
#include "attest/attestation_policy.h"
#include "attest/collateral.h"
#include "attest/collateral_options.h"
#include "attest/dcap_verifier.h"
#include "attest/trust_anchor.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/hex.h"
#include "core/time_format.h"
#include "crypto/x509_certificate.h"

namespace {

using namespace s3ml;

struct Options {
  std::string quote_path;
  std::string collateral_dir;
  std::string pccs_url;
  std::string pccs_ca_path;
  std::string collateral_cache_dir;
  std::string at;
  std::string policy_path;
  std::string sim_root_path;
  bool allow_sim = false;
  bool json = false;
};

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

nlohmann::json ToJson(const attest::VerifiedQuote& v) {
  const auto& id = v.identity;
  return {{"verified", true},
          {"mrenclave", HexEncode(id.mrenclave)},
          {"mrsigner", HexEncode(id.mrsigner)},
          {"isvprodid", id.isv_prod_id},
          {"isvsvn", id.isv_svn},
          {"debug", id.debug},
          {"report_data", HexEncode(id.report_data)},
          {"tcb_status", std::string(attest::TcbStatusName(v.tcb_status))},
          {"platform_tcb_status", std::string(attest::TcbStatusName(v.platform_tcb_status))},
          {"qe_tcb_status", std::string(attest::TcbStatusName(v.qe_tcb_status))},
          {"advisory_ids", v.advisory_ids},
          {"fmspc", HexEncode(v.fmspc)},
          {"trust_anchor", v.trust_anchor},
          {"simulated_root", v.simulated_root},
          {"valid_until", FormatRfc3339(v.valid_until)}};
}

void PrintText(const attest::VerifiedQuote& v, int64_t at) {
  const auto& id = v.identity;
  std::printf("quote verified as of %s (root: %s%s)\n", FormatRfc3339(at).c_str(), v.trust_anchor.c_str(),
              v.simulated_root ? ", SIMULATED" : "");
  std::printf("mrenclave:   %s\n", HexEncode(id.mrenclave).c_str());
  std::printf("mrsigner:    %s\n", HexEncode(id.mrsigner).c_str());
  std::printf("isvprodid:   %u\nisvsvn:      %u\n", id.isv_prod_id, id.isv_svn);
  std::printf("debug:       %s\n", id.debug ? "yes (DEBUG enclave)" : "no");
  std::printf("report_data: %s\n", HexEncode(id.report_data).c_str());
  std::printf("tcb_status:  %s (platform %s, QE %s)\n", std::string(attest::TcbStatusName(v.tcb_status)).c_str(),
              std::string(attest::TcbStatusName(v.platform_tcb_status)).c_str(),
              std::string(attest::TcbStatusName(v.qe_tcb_status)).c_str());
  std::printf("advisories:  %s\n", v.advisory_ids.empty() ? "none" : Join(v.advisory_ids).c_str());
  std::printf("fmspc:       %s\n", HexEncode(v.fmspc).c_str());
  std::printf("valid until: %s\n", FormatRfc3339(v.valid_until).c_str());
}

[[noreturn]] void Fail(const Options& o, int code, const std::string& message) {
  if (o.json) std::printf("%s\n", nlohmann::json{{"verified", false}, {"error", message}}.dump(2).c_str());
  throw cli::CommandFailed(code, message);
}

void Run(const Options& o) {
  if (o.collateral_dir.empty() == o.pccs_url.empty()) throw cli::CommandFailed(1, "give either --collateral DIR or --pccs URL");
  int64_t at = SystemClock::Get().NowUnixSeconds();
  if (!o.at.empty()) at = cli::ValueOrFail(ParseRfc3339(o.at), "--at");

  attest::TrustAnchors anchors = attest::TrustAnchors::IntelOnly();
  if (!o.sim_root_path.empty()) {
    if (!o.allow_sim) throw cli::CommandFailed(1, "--sim-root is only trusted together with --allow-sim");
    std::string pem = cli::ValueOrFail(ReadFileText(o.sim_root_path, 1 << 20), "--sim-root");
    auto root = cli::ValueOrFail(crypto::X509Certificate::FromPem(pem), "--sim-root");
    cli::CheckOk(anchors.AddRootCertificate(root, /*simulated=*/true), "--sim-root");
  }
  std::optional<attest::AttestationPolicy> policy;
  if (!o.policy_path.empty()) {
    policy = cli::ValueOrFail(attest::LoadAttestationPolicy(o.policy_path), "--policy");
    if (o.allow_sim) policy->allow_simulated = true;
  }
  auto quote = cli::ValueOrFail(ReadFileBytes(o.quote_path, attest::kMaxSgxQuoteSize), "--quote");
  attest::CollateralOptions collateral_options;
  collateral_options.directory = o.collateral_dir;
  collateral_options.pccs_url = o.pccs_url;
  collateral_options.pccs_ca_path = o.pccs_ca_path;
  collateral_options.cache_directory = o.collateral_cache_dir;
  auto source = attest::MakeCollateralSource(collateral_options, &SystemClock::Get());
  if (!source.ok()) Fail(o, 1, "collateral: " + source.status().ToString());
  auto collateral = (*source)->CollateralFor(cli::ValueOrFail(attest::ParseSgxQuote(quote), "--quote"));
  if (!collateral.ok()) Fail(o, 1, "collateral: " + collateral.status().ToString());
  auto verified = attest::VerifyDcapQuote(quote, collateral.value(), anchors, at);
  if (!verified.ok()) Fail(o, 1, "quote verification failed: " + verified.status().ToString());
  if (policy) {
    Status allowed = policy->Check(verified.value());
    if (!allowed.ok()) Fail(o, 2, "policy refused the quote: " + allowed.ToString());
  }
  if (o.json) {
    nlohmann::json j = ToJson(verified.value());
    j["verified_at"] = FormatRfc3339(at);
    j["policy"] = policy ? "accepted" : "not checked";
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    PrintText(verified.value(), at);
    std::printf("policy:      %s\n", policy ? "accepted" : "not checked (no --policy)");
  }
}

void Setup(CLI::App& app) {
  auto* quote = app.add_subcommand("quote", "SGX quote tools");
  quote->require_subcommand(1);
  auto* verify = quote->add_subcommand("verify", "Verify an SGX DCAP quote v3 with offline collateral");
  auto o = std::make_shared<Options>();
  verify->add_option("--quote", o->quote_path, "Quote file (binary)")->required();
  auto* dir = verify->add_option("--collateral", o->collateral_dir, "Collateral directory (tcb_info.json, ...)");
  auto* pccs = verify->add_option("--pccs", o->pccs_url, "PCCS base URL (https://host:port), instead of --collateral");
  dir->excludes(pccs);
  verify->add_option("--pccs-ca", o->pccs_ca_path, "CA certificate (PEM) of the PCCS (default: system trust store)")->needs(pccs);
  verify->add_option("--collateral-cache", o->collateral_cache_dir, "Cache directory for --pccs (default ~/.cache/s3ml/collateral)")->needs(pccs);
  verify->add_option("--at", o->at, "Verification time, RFC 3339 (default: now)");
  verify->add_option("--policy", o->policy_path, "Attestation policy JSON file");
  verify->add_flag("--allow-sim", o->allow_sim, "Also trust a simulated platform's root (never in production)");
  verify->add_option("--sim-root", o->sim_root_path, "Simulated root CA certificate (PEM), with --allow-sim");
  verify->add_flag("--json", o->json, "Print the result as JSON");
  verify->callback([o] { Run(*o); });
}

const cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
