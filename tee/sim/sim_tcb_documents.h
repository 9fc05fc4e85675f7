// The simulated platform's signed collateral documents, in Intel PCS v4 format, signed the way
// Intel signs them: ECDSA P-256 by the TCB Signing key over the exact bytes of the "tcbInfo" /
// "enclaveIdentity" member, as raw r||s in hex. Valid from issue_time for state.validity_days.
//
// TCB Info (v3) places the platform's PCK TCB at a level with state.tcb_status; when that is not
// UpToDate, a newer UpToDate level above it says what an update would bring. An older OutOfDate
// level completes the list as on real platforms.
#ifndef S3ML_TEE_SIM_SIM_TCB_DOCUMENTS_H_
#define S3ML_TEE_SIM_SIM_TCB_DOCUMENTS_H_

#include <cstdint>
#include <string>

#include "core/status.h"
#include "crypto/ec_key.h"
#include "tee/sim/sim_state.h"

namespace s3ml::tee::sim {

// The advisory the simulated non-UpToDate levels name.
inline constexpr char kSimAdvisoryId[] = "S3ML-SIM-SA-00001";

Result<std::string> BuildTcbInfoJson(const SimState& state, int64_t issue_time, const crypto::EcKey& tcb_signing_key);
Result<std::string> BuildQeIdentityJson(const SimState& state, int64_t issue_time,
                                        const crypto::EcKey& tcb_signing_key);

}  // namespace s3ml::tee::sim

#endif  // S3ML_TEE_SIM_SIM_TCB_DOCUMENTS_H_
