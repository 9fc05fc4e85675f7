// TcbInfo: Intel's SGX TCB Info collateral for one FMSPC (versions 2 and 3), which lists the TCB
// levels of that platform type, newest first, each with its status and advisories.
//
// ParseTcbInfoJson checks the document's shape and types and keeps the exact signed bytes; it
// does not check the signature or validity period (dcap_verifier does, in QVL's order).
// Version 2 names components "sgxtcbcomp01svn".."sgxtcbcomp16svn"; version 3 uses the array
// "sgxtcbcomponents" of {"svn": n}. TDX TCB Info (id "TDX") is refused as unsupported.
#ifndef S3ML_ATTEST_TCB_INFO_H_
#define S3ML_ATTEST_TCB_INFO_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attest/tcb_status.h"
#include "core/status.h"

namespace s3ml::attest {

struct TcbLevel {
  std::array<uint8_t, 16> sgx_component_svns{};
  uint16_t pcesvn = 0;
  int64_t tcb_date = 0;
  TcbStatus status = TcbStatus::kRevoked;
  std::vector<std::string> advisory_ids;
};

struct TcbInfo {
  std::string id;  // "SGX" (v3); v2 has no id and reads as "SGX"
  int version = 0;
  int64_t issue_date = 0;
  int64_t next_update = 0;
  std::array<uint8_t, 6> fmspc{};
  std::array<uint8_t, 2> pce_id{};
  int tcb_type = 0;
  int64_t tcb_evaluation_data_number = 0;
  std::vector<TcbLevel> levels;
  std::string signed_text;         // the "tcbInfo" member exactly as in the file
  std::vector<uint8_t> signature;  // raw r||s over signed_text
};

Result<TcbInfo> ParseTcbInfoJson(std::string_view document);

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_TCB_INFO_H_
