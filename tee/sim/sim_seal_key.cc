#include "tee/sim/sim_seal_key.h"

#include "core/byte_reader.h"
#include "crypto/hkdf.h"
#include "tee/byte_writer.h"
#include "tee/platform.h"

namespace s3ml::tee::sim {

Result<crypto::SecretBytes> DeriveSimSealKey(std::span<const uint8_t> platform_secret, const Identity& identity,
                                             SealKeyPolicy policy, std::string_view label) {
  S3ML_RETURN_IF_ERROR(CheckSealKeyLabel(label));
  if (platform_secret.empty()) return InvalidArgument("platform secret is empty");
  ByteWriter info;
  info.U8(static_cast<uint8_t>(policy));
  info.U8(identity.debug ? 1 : 0);
  if (policy == SealKeyPolicy::kMrEnclave) {
    info.Bytes(identity.mrenclave);
  } else {
    info.Bytes(identity.mrsigner);
    info.U16Le(identity.isv_prod_id);
  }
  info.U16Le(static_cast<uint16_t>(label.size()));
  info.Bytes(AsBytes(label));
  return crypto::HkdfSha256(platform_secret, AsBytes("s3ml-sim-seal-key-v1"), info.bytes(), kSealKeySize);
}

}  // namespace s3ml::tee::sim
