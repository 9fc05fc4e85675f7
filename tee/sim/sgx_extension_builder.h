// The DER value of Intel's SGX extension (OID 1.2.840.113741.1.13.1) for a simulated PCK
// certificate, with the same ASN.1 structure as Intel's PCK certificates:
//   SEQUENCE { SEQUENCE { OID .1, OCTET STRING ppid(16) },
//              SEQUENCE { OID .2, SEQUENCE { SEQUENCE { OID .2.1, INTEGER } ... .2.16,
//                                            SEQUENCE { OID .2.17, INTEGER pcesvn },
//                                            SEQUENCE { OID .2.18, OCTET STRING cpusvn(16) } } },
//              SEQUENCE { OID .3, OCTET STRING pceid(2) },
//              SEQUENCE { OID .4, OCTET STRING fmspc(6) },
//              SEQUENCE { OID .5, ENUMERATED sgxType } }
// Encoded with OpenSSL's DER primitives.
#ifndef S3ML_TEE_SIM_SGX_EXTENSION_BUILDER_H_
#define S3ML_TEE_SIM_SGX_EXTENSION_BUILDER_H_

#include <array>
#include <cstdint>
#include <vector>

#include "core/status.h"

namespace s3ml::tee::sim {

inline constexpr char kSgxExtensionOid[] = "1.2.840.113741.1.13.1";

struct SgxExtensionFields {
  std::array<uint8_t, 16> ppid{};
  std::array<uint8_t, 16> tcb_component_svns{};
  uint16_t pcesvn = 0;
  std::array<uint8_t, 16> cpusvn{};
  std::array<uint8_t, 2> pce_id{};
  std::array<uint8_t, 6> fmspc{};
  int sgx_type = 0;  // Standard
};

Result<std::vector<uint8_t>> BuildSgxExtensionDer(const SgxExtensionFields& fields);

}  // namespace s3ml::tee::sim

#endif  // S3ML_TEE_SIM_SGX_EXTENSION_BUILDER_H_
