// SealKeyPolicy: which identity a seal key is bound to, mirroring SGX EGETKEY's KEYPOLICY.
//   kMrEnclave: only this exact enclave (code + configuration) on this host gets the key.
//   kMrSigner:  every enclave of the same signer and ISVPRODID on this host gets the key, so a
//               new version of the software can unseal its predecessor's data.
#ifndef S3ML_TEE_SEAL_KEY_POLICY_H_
#define S3ML_TEE_SEAL_KEY_POLICY_H_

#include <cstdint>
#include <string_view>

#include "core/status.h"

namespace s3ml::tee {

enum class SealKeyPolicy : uint8_t { kMrEnclave = 1, kMrSigner = 2 };

// "mrenclave" / "mrsigner".
std::string_view SealKeyPolicyName(SealKeyPolicy policy);
// Accepts the names above (and "MRENCLAVE"/"MRSIGNER"); anything else is kInvalidArgument.
Result<SealKeyPolicy> ParseSealKeyPolicy(std::string_view name);
// From its wire byte; anything else is kInvalidArgument.
Result<SealKeyPolicy> SealKeyPolicyFromByte(uint8_t value);

}  // namespace s3ml::tee

#endif  // S3ML_TEE_SEAL_KEY_POLICY_H_
