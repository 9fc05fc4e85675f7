// The command-line view of "which ECS do I trust" shared by `s3ml attest`, `s3ml manifest` and
// `s3ml model push`: the ECS URL, its expected identity and where collateral comes from.
// EcsAttestationOptionsFrom turns the flags into EcsAttestationOptions (reading the simulated
// root file); kInvalidArgument naming the flag when they are inconsistent (no or two expected
// identities, bad hex, --sim-root without --allow-sim, no collateral source).
// ecs_attest_cli.h registers the flags with CLI11.
#ifndef S3ML_CLIENT_ECS_ATTEST_FLAGS_H_
#define S3ML_CLIENT_ECS_ATTEST_FLAGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/ecs_attestation.h"
#include "core/clock.h"
#include "core/status.h"

namespace s3ml::client {

struct EcsAttestFlags {
  std::string ecs_url;           // --ecs
  std::string expect_mrenclave;  // --expect-mrenclave HEX
  std::string expect_mrsigner;   // --expect-mrsigner HEX
  int expect_isvprodid = -1;     // --expect-isvprodid N (-1: any, with --expect-mrsigner)
  int min_isvsvn = 0;            // --min-isvsvn N
  std::vector<std::string> accept_tcb;  // --accept-tcb STATUS (repeatable)
  attest::CollateralOptions collateral;  // --collateral / --pccs / --pccs-ca / --collateral-cache
  bool allow_sim = false;        // --allow-sim
  std::string sim_root_path;     // --sim-root PEM
  int timeout_seconds = 30;      // --timeout
};

Result<EcsAttestationOptions> EcsAttestationOptionsFrom(const EcsAttestFlags& flags, const Clock* clock);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_ECS_ATTEST_FLAGS_H_
