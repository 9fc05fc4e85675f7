// Registers EcsAttestFlags (ecs_attest_flags.h) on a CLI11 subcommand. Header-only so that the
// client library does not depend on CLI11; included only by the s3ml commands.
#ifndef S3ML_CLIENT_ECS_ATTEST_CLI_H_
#define S3ML_CLIENT_ECS_ATTEST_CLI_H_

#include <CLI/CLI.hpp>

#include "client/ecs_attest_flags.h"

namespace s3ml::client {

// How a command uses the flags: to talk to the ECS (--ecs required, --timeout its own), or only to
// attest it as one way of trusting the service (--ecs optional; the command has its --timeout).
enum class EcsFlagsUse { kEcsCommand, kOptionalTrust };

// Returns the --ecs option, for commands that offer it as an alternative to another flag.
inline CLI::Option* AddEcsAttestFlags(CLI::App* cmd, EcsAttestFlags* flags, EcsFlagsUse use = EcsFlagsUse::kEcsCommand) {
  auto* ecs = cmd->add_option("--ecs", flags->ecs_url, "ECS URL, https://host:port");
  if (use == EcsFlagsUse::kEcsCommand) ecs->required();
  auto* mrenclave = cmd->add_option("--expect-mrenclave", flags->expect_mrenclave, "Expected ECS MRENCLAVE (hex)");
  auto* mrsigner = cmd->add_option("--expect-mrsigner", flags->expect_mrsigner, "Expected ECS MRSIGNER (hex)");
  mrenclave->excludes(mrsigner);
  cmd->add_option("--expect-isvprodid", flags->expect_isvprodid, "With --expect-mrsigner: required ISVPRODID (default any)")
      ->needs(mrsigner);
  cmd->add_option("--min-isvsvn", flags->min_isvsvn, "With --expect-mrsigner: minimum ISVSVN")->needs(mrsigner);
  cmd->add_option("--accept-tcb", flags->accept_tcb,
                  "Accepted TCB status (repeatable; default UpToDate and SWHardeningNeeded)");
  auto* dir = cmd->add_option("--collateral", flags->collateral.directory, "Collateral directory (as testdata/sgx/<sample>)");
  auto* pccs = cmd->add_option("--pccs", flags->collateral.pccs_url, "PCCS base URL, instead of --collateral");
  dir->excludes(pccs);
  cmd->add_option("--pccs-ca", flags->collateral.pccs_ca_path, "CA certificate (PEM) of the PCCS")->needs(pccs);
  cmd->add_option("--collateral-cache", flags->collateral.cache_directory, "Cache directory for --pccs")->needs(pccs);
  cmd->add_flag("--allow-sim", flags->allow_sim, "Trust the simulated SGX platform's root (never in production)");
  cmd->add_option("--sim-root", flags->sim_root_path, "Simulated root CA certificate (PEM), with --allow-sim");
  if (use == EcsFlagsUse::kEcsCommand) {
    cmd->add_option("--timeout", flags->timeout_seconds, "Per-request timeout in seconds")->check(CLI::Range(1, 3600));
  }
  return ecs;
}

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_ECS_ATTEST_CLI_H_
