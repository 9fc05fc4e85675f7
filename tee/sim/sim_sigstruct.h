// SimSigstruct: the simulated analogue of SGX's SIGSTRUCT, written by `s3ml sim sign` beside an
// enclave binary as "<binary>.sigstruct". It states which MRENCLAVE the signer vouches for, with
// which ISVPRODID and ISVSVN, and carries the signer's public key and ECDSA signature.
// MRSIGNER = SHA-256 of the signer's public key (DER SubjectPublicKeyInfo).
//
// Binary layout (little-endian): magic "S3MLSIG1" | MRENCLAVE 32 | ISVPRODID u16 | ISVSVN u16 |
// u16 length + signer SPKI DER | u16 length + DER ECDSA signature over everything before it.
// Parse verifies the signature with the embedded key; any malformed, truncated, oversized or
// badly signed file is refused (kInvalidArgument / kPermissionDenied naming the problem).
#ifndef S3ML_TEE_SIM_SIM_SIGSTRUCT_H_
#define S3ML_TEE_SIM_SIM_SIGSTRUCT_H_

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "crypto/ec_key.h"

namespace s3ml::tee::sim {

inline constexpr size_t kMaxSigstructSize = 4096;

struct SimSigstruct {
  std::array<uint8_t, 32> mrenclave{};
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
  std::vector<uint8_t> signer_spki_der;
  std::array<uint8_t, 32> mrsigner{};  // derived: SHA-256(signer_spki_der)
};

// REQUIRES: signer holds a private key.
Result<std::vector<uint8_t>> SignSigstruct(const crypto::EcKey& signer, const std::array<uint8_t, 32>& mrenclave,
                                           uint16_t isv_prod_id, uint16_t isv_svn);
Result<SimSigstruct> ParseAndVerifySigstruct(std::span<const uint8_t> bytes);

}  // namespace s3ml::tee::sim

#endif  // S3ML_TEE_SIM_SIM_SIGSTRUCT_H_
