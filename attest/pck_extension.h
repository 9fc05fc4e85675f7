// SgxPckExtension: Intel's SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1), which
// states the platform's TCB as Intel certified it: FMSPC, PCE-ID, the 16 TCB component SVNs, PCESVN
// and CPUSVN. Parsed with OpenSSL's ASN.1 decoder; each required field must appear exactly once
// with its expected ASN.1 type and size (kInvalidArgument names the field otherwise). Unknown
// sub-OIDs (e.g. the Platform CA's PlatformInstanceID, Configuration) are allowed and ignored.
#ifndef S3ML_ATTEST_PCK_EXTENSION_H_
#define S3ML_ATTEST_PCK_EXTENSION_H_

#include <array>
#include <cstdint>
#include <span>

#include "core/status.h"
#include "crypto/x509_certificate.h"

namespace s3ml::attest {

inline constexpr char kSgxExtensionOid[] = "1.2.840.113741.1.13.1";

struct SgxPckExtension {
  std::array<uint8_t, 16> ppid{};
  std::array<uint8_t, 16> tcb_component_svns{};  // sgxtcbcomp01svn .. sgxtcbcomp16svn
  uint16_t pcesvn = 0;
  std::array<uint8_t, 16> cpusvn{};
  std::array<uint8_t, 2> pce_id{};
  std::array<uint8_t, 6> fmspc{};
  int sgx_type = 0;  // 0 Standard, 1 Scalable, 2 Scalable with integrity
};

// der: the extension's value octets (a DER SEQUENCE).
Result<SgxPckExtension> ParseSgxPckExtension(std::span<const uint8_t> der);
// Finds and parses the extension of a PCK certificate (kInvalidArgument if absent).
Result<SgxPckExtension> SgxPckExtensionOf(const crypto::X509Certificate& pck_certificate);

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_PCK_EXTENSION_H_
