// The simulated EGETKEY: a 32-byte seal key derived with HKDF-SHA256 from the host's platform
// secret, the key policy, the enclave's DEBUG attribute, the identity the policy selects
// (MRENCLAVE, or MRSIGNER + ISVPRODID) and the caller's label. Because the daemon fills in the
// identity from its own measurement, a process can only ever obtain keys of its own identity;
// another host (another platform secret) derives different keys. As with SGX, a debug enclave
// never gets a production enclave's key.
#ifndef S3ML_TEE_SIM_SIM_SEAL_KEY_H_
#define S3ML_TEE_SIM_SIM_SEAL_KEY_H_

#include <cstdint>
#include <span>
#include <string_view>

#include "core/status.h"
#include "crypto/secret_bytes.h"
#include "tee/identity.h"
#include "tee/seal_key_policy.h"

namespace s3ml::tee::sim {

// label: 1..256 bytes; platform_secret: non-empty.
Result<crypto::SecretBytes> DeriveSimSealKey(std::span<const uint8_t> platform_secret, const Identity& identity,
                                             SealKeyPolicy policy, std::string_view label);

}  // namespace s3ml::tee::sim

#endif  // S3ML_TEE_SIM_SIM_SEAL_KEY_H_
