// SgxReportBody: the 384-byte SGX REPORTBODY (enclave identity and report data), as it appears in
// a quote (the application enclave's) and in the QE report. Little-endian integers.
#ifndef S3ML_ATTEST_SGX_REPORT_BODY_H_
#define S3ML_ATTEST_SGX_REPORT_BODY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/status.h"

namespace s3ml::attest {

struct SgxReportBody {
  static constexpr size_t kSize = 384;
  static constexpr uint64_t kAttributeDebug = 0x2;

  std::array<uint8_t, 16> cpusvn{};
  uint32_t miscselect = 0;
  std::array<uint8_t, 16> isv_ext_prod_id{};
  // attributes as stored: flags (u64 LE) then xfrm (u64 LE); masks apply to these raw bytes.
  std::array<uint8_t, 16> attributes{};
  uint64_t attribute_flags = 0;
  uint64_t attribute_xfrm = 0;
  std::array<uint8_t, 32> mrenclave{};
  std::array<uint8_t, 32> mrsigner{};
  std::array<uint8_t, 64> config_id{};
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
  uint16_t config_svn = 0;
  std::array<uint8_t, 16> isv_family_id{};
  std::array<uint8_t, 64> report_data{};

  bool debug() const { return (attribute_flags & kAttributeDebug) != 0; }
};

// REQUIRES nothing: bytes must be exactly kSize long, else kInvalidArgument.
Result<SgxReportBody> ParseSgxReportBody(std::span<const uint8_t> bytes);

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_SGX_REPORT_BODY_H_
