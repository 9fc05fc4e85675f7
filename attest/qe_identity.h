// QeIdentity: Intel's identity of the Quoting Enclave (enclaveIdentity, id "QE", version 2): the
// QE's MRSIGNER and ISVPRODID, the MISCSELECT/ATTRIBUTES values under their masks, and TCB levels
// by ISVSVN. Parsing keeps the exact signed bytes; signature and validity are checked by
// dcap_verifier.
#ifndef S3ML_ATTEST_QE_IDENTITY_H_
#define S3ML_ATTEST_QE_IDENTITY_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attest/tcb_status.h"
#include "core/status.h"

namespace s3ml::attest {

struct QeTcbLevel {
  uint16_t isvsvn = 0;
  int64_t tcb_date = 0;
  TcbStatus status = TcbStatus::kRevoked;
  std::vector<std::string> advisory_ids;
};

struct QeIdentity {
  std::string id;  // "QE"
  int version = 0;
  int64_t issue_date = 0;
  int64_t next_update = 0;
  int64_t tcb_evaluation_data_number = 0;
  // miscselect as the u32 the hex string spells (big-endian text of the number).
  uint32_t miscselect = 0;
  uint32_t miscselect_mask = 0;
  // attributes in report byte order (flags LE, then xfrm LE), compared bytewise under the mask.
  std::array<uint8_t, 16> attributes{};
  std::array<uint8_t, 16> attributes_mask{};
  std::array<uint8_t, 32> mrsigner{};
  uint16_t isvprodid = 0;
  std::vector<QeTcbLevel> levels;
  std::string signed_text;  // the "enclaveIdentity" member exactly as in the file
  std::vector<uint8_t> signature;
};

Result<QeIdentity> ParseQeIdentityJson(std::string_view document);

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_QE_IDENTITY_H_
