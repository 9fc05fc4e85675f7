// BuildSimQuote: an SGX ECDSA quote v3, byte for byte the layout of real quotes
// (testdata/sgx/README.md), produced by the simulated quoting enclave of a SimAuthority:
//   header (version 3, key type 2, TEE type SGX, QE SVN, PCE SVN, Intel's QE vendor id),
//   report body of the measured enclave (CPUSVN, attributes INIT|MODE64BIT (+DEBUG), MRENCLAVE,
//   MRSIGNER, ISVPRODID, ISVSVN, report_data), the quote signature over bytes [0, 432) by the QE
//   attestation key, the attestation public key, the QE's own report (report_data[0..32] =
//   SHA-256(attestation key || QE auth data)) signed by the PCK key, the QE auth data, and
//   certification data type 5 with the PEM PCK chain.
#ifndef S3ML_TEE_SIM_SIM_QUOTE_BUILDER_H_
#define S3ML_TEE_SIM_SIM_QUOTE_BUILDER_H_

#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "tee/identity.h"
#include "tee/sim/sim_authority.h"

namespace s3ml::tee::sim {

// report_data must be 64 bytes (kInvalidArgument otherwise).
Result<std::vector<uint8_t>> BuildSimQuote(const SimAuthority& authority, const Identity& enclave,
                                           std::span<const uint8_t> report_data);

}  // namespace s3ml::tee::sim

#endif  // S3ML_TEE_SIM_SIM_QUOTE_BUILDER_H_
