#include "tee/seal_key_policy.h"

#include <string>

namespace s3ml::tee {

std::string_view SealKeyPolicyName(SealKeyPolicy policy) {
  return policy == SealKeyPolicy::kMrEnclave ? "mrenclave" : "mrsigner";
}

Result<SealKeyPolicy> ParseSealKeyPolicy(std::string_view name) {
  if (name == "mrenclave" || name == "MRENCLAVE") return SealKeyPolicy::kMrEnclave;
  if (name == "mrsigner" || name == "MRSIGNER") return SealKeyPolicy::kMrSigner;
  return InvalidArgument("seal key policy '" + std::string(name) + "' is not mrenclave or mrsigner");
}

Result<SealKeyPolicy> SealKeyPolicyFromByte(uint8_t value) {
  if (value == static_cast<uint8_t>(SealKeyPolicy::kMrEnclave)) return SealKeyPolicy::kMrEnclave;
  if (value == static_cast<uint8_t>(SealKeyPolicy::kMrSigner)) return SealKeyPolicy::kMrSigner;
  return InvalidArgument("seal key policy byte " + std::to_string(value) + " is not 1 (mrenclave) or 2 (mrsigner)");
}

}  // namespace s3ml::tee
