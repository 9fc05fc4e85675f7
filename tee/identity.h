// Identity: what an enclave is, as the platform measured it (SGX REPORT fields). The same values
// a verifier later reads from the enclave's quote.
#ifndef S3ML_TEE_IDENTITY_H_
#define S3ML_TEE_IDENTITY_H_

#include <array>
#include <cstdint>

namespace s3ml::tee {

struct Identity {
  std::array<uint8_t, 32> mrenclave{};  // measurement of the code and its configuration
  std::array<uint8_t, 32> mrsigner{};   // SHA-256 of the signer's public key
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
  bool debug = false;  // a debug enclave's memory is readable by the host: never trust it with secrets

  bool operator==(const Identity&) const = default;
};

}  // namespace s3ml::tee

#endif  // S3ML_TEE_IDENTITY_H_
