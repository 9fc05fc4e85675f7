// SimState: the parameters of one simulated SGX host, kept in <dir>/sim.json: what its PCK
// certificate says (FMSPC, PCE-ID, TCB component SVNs, PCESVN, CPUSVN, PPID), the TCB status its
// TCB Info assigns to that TCB, the simulated QE's identity, the collateral validity and the
// counters (TCB evaluation number, CRL number, PCK revocation). Loading validates every field
// and names the one that is wrong.
#ifndef S3ML_TEE_SIM_SIM_STATE_H_
#define S3ML_TEE_SIM_SIM_STATE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace s3ml::tee::sim {

// True for the TCB statuses Intel defines ("UpToDate", "OutOfDate", ...).
bool IsKnownTcbStatus(std::string_view status);

struct SimState {
  std::array<uint8_t, 6> fmspc{0x00, 0x90, 0x6e, 0xa1, 0x00, 0x00};
  std::array<uint8_t, 2> pce_id{0x00, 0x00};
  std::string tcb_status = "UpToDate";
  std::array<uint8_t, 16> tcb_component_svns{11, 11, 2, 2, 255, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  uint16_t pcesvn = 13;
  std::array<uint8_t, 16> cpusvn{11, 11, 2, 2, 255, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  std::array<uint8_t, 16> ppid{};
  uint16_t qe_isv_prod_id = 1;
  uint16_t qe_isv_svn = 8;
  std::array<uint8_t, 32> qe_mrsigner{};
  int validity_days = 30;
  int64_t tcb_evaluation_data_number = 1;
  uint64_t crl_number = 1;
  int64_t pck_revoked_at = 0;  // 0 = not revoked; else when `sim revoke-pck` ran

  std::string ToJson() const;
  static Result<SimState> FromJson(std::string_view text);
};

}  // namespace s3ml::tee::sim

#endif  // S3ML_TEE_SIM_SIM_STATE_H_
