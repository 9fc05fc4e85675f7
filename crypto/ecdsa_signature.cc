#include "crypto/ecdsa_signature.h"

#include <openssl/ecdsa.h>

#include <string>

#include "crypto/openssl_util.h"

namespace s3ml::crypto {

Result<std::vector<uint8_t>> EcdsaRawToDer(std::span<const uint8_t> raw) {
  if (raw.empty() || raw.size() % 2 != 0 || raw.size() > 132) {
    return InvalidArgument("raw ECDSA signature has invalid length " + std::to_string(raw.size()));
  }
  const int half = static_cast<int>(raw.size() / 2);
  BignumPtr r(BN_bin2bn(raw.data(), half, nullptr));
  BignumPtr s(BN_bin2bn(raw.data() + half, half, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig) return OpenSslFailure(StatusCode::kInternal, "ECDSA_SIG allocation failed");
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "ECDSA_SIG_set0 failed");
  }
  r.release();  // now owned by sig
  s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return OpenSslFailure(StatusCode::kInternal, "ECDSA signature DER encoding failed");
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

Result<std::vector<uint8_t>> EcdsaDerToRaw(std::span<const uint8_t> der, size_t field_size) {
  S3ML_RETURN_IF_ERROR(CheckIntSize(der.size(), "ECDSA signature"));
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return OpenSslFailure(StatusCode::kInvalidArgument, "malformed DER ECDSA signature");
  if (p != der.data() + der.size()) return InvalidArgument("trailing bytes after DER ECDSA signature");
  const BIGNUM* r = ECDSA_SIG_get0_r(sig.get());
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  std::vector<uint8_t> out(2 * field_size);
  const int width = static_cast<int>(field_size);
  if (BN_bn2binpad(r, out.data(), width) != width || BN_bn2binpad(s, out.data() + field_size, width) != width) {
    DrainOpenSslErrors("");
    return InvalidArgument("ECDSA signature component wider than " + std::to_string(field_size) + " bytes");
  }
  return out;
}

}  // namespace s3ml::crypto
