#include "tee/sim/sim_sigstruct.h"

#include <cstring>
#include <string>

#include "core/byte_reader.h"
#include "crypto/digest.h"
#include "tee/byte_writer.h"

namespace s3ml::tee::sim {
namespace {

constexpr char kMagic[] = "S3MLSIG1";
constexpr size_t kMagicSize = 8;

}  // namespace

Result<std::vector<uint8_t>> SignSigstruct(const crypto::EcKey& signer, const std::array<uint8_t, 32>& mrenclave,
                                           uint16_t isv_prod_id, uint16_t isv_svn) {
  if (!signer.has_private_key()) return InvalidArgument("sigstruct signer key has no private half");
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> spki, signer.PublicKeyDer());
  ByteWriter w;
  w.Bytes(AsBytes(std::string_view(kMagic, kMagicSize)));
  w.Bytes(mrenclave);
  w.U16Le(isv_prod_id);
  w.U16Le(isv_svn);
  w.U16Le(static_cast<uint16_t>(spki.size()));
  w.Bytes(spki);
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> signature, signer.SignDer(w.bytes()));
  w.U16Le(static_cast<uint16_t>(signature.size()));
  w.Bytes(signature);
  return w.Take();
}

Result<SimSigstruct> ParseAndVerifySigstruct(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxSigstructSize) {
    return InvalidArgument("sigstruct is " + std::to_string(bytes.size()) + " bytes, more than the 4096 allowed");
  }
  ByteReader r(bytes);
  std::span<const uint8_t> magic, spki, signature;
  SimSigstruct s;
  if (!r.ReadBytes(kMagicSize, &magic) || std::memcmp(magic.data(), kMagic, kMagicSize) != 0) {
    return InvalidArgument("sigstruct does not start with S3MLSIG1");
  }
  if (!r.CopyBytes(s.mrenclave) || !r.ReadU16Le(&s.isv_prod_id) || !r.ReadU16Le(&s.isv_svn)) {
    return InvalidArgument("sigstruct is truncated in its identity fields");
  }
  if (!r.ReadU16LePrefixed(&spki)) return InvalidArgument("sigstruct is truncated in its signer key");
  const size_t signed_size = r.offset();
  if (!r.ReadU16LePrefixed(&signature)) return InvalidArgument("sigstruct is truncated in its signature");
  if (!r.empty()) return InvalidArgument("sigstruct has " + std::to_string(r.remaining()) + " trailing bytes");
  auto key = crypto::EcKey::FromPublicKeyDer(spki);
  if (!key.ok()) return key.status().WithContext("sigstruct signer key");
  if (!key->VerifyDer(bytes.first(signed_size), signature).ok()) {
    return PermissionDenied("sigstruct signature does not verify with its signer key");
  }
  s.signer_spki_der.assign(spki.begin(), spki.end());
  s.mrsigner = crypto::Sha256(spki);
  return s;
}

}  // namespace s3ml::tee::sim
