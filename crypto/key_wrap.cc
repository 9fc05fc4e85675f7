#include "crypto/key_wrap.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <algorithm>
#include <cstring>

#include "core/byte_reader.h"
#include "core/hex.h"
#include "crypto/aes_gcm.h"
#include "crypto/digest.h"
#include "crypto/openssl_util.h"

namespace s3ml::crypto {
namespace {

constexpr uint8_t kMagic[4] = {'S', '3', 'K', 'W'};
// Curve byte: leaves room for other curves in later versions; only P-384 is accepted now.
constexpr uint8_t kCurveP384 = 2;
constexpr size_t kEphemeralPointSize = 96;  // x||y on P-384
constexpr size_t kKekSize = 32;
constexpr std::string_view kInfoPrefix = "s3ml key wrap v1";

Status RequireP384(const EcKey& key, std::string_view role) {
  if (key.curve() != EcCurve::kP384) {
    return InvalidArgument(std::string(role) + " must be an EC P-384 key, not " + std::string(EcCurveName(key.curve())));
  }
  return Status::Ok();
}

Status CheckLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxKeyWrapLabelSize) {
    return InvalidArgument("key wrap label must be 1.." + std::to_string(kMaxKeyWrapLabelSize) + " bytes, got " +
                           std::to_string(label.size()));
  }
  return Status::Ok();
}

// A short, readable key id for messages (the full id is 32 bytes).
std::string ShortId(const KeyWrapRecipientId& id) { return HexEncode(std::span(id).first(8)); }

std::vector<uint8_t> BuildHeader(const KeyWrapRecipientId& recipient, std::string_view label,
                                 std::span<const uint8_t> ephemeral_point) {
  // Sized once and filled in place (GCC 12 misreads a chain of inserts as an overflow).
  std::vector<uint8_t> h(sizeof(kMagic) + 2 + recipient.size() + 1 + label.size() + ephemeral_point.size());
  uint8_t* p = h.data();
  p = std::copy(std::begin(kMagic), std::end(kMagic), p);
  *p++ = kKeyWrapFormatVersion;
  *p++ = kCurveP384;
  p = std::copy(recipient.begin(), recipient.end(), p);
  *p++ = static_cast<uint8_t>(label.size());
  p = std::copy(label.begin(), label.end(), p);
  std::copy(ephemeral_point.begin(), ephemeral_point.end(), p);
  return h;
}

// The ECDH shared secret (x coordinate). EVP_PKEY_derive_set_peer validates the peer's point.
Result<SecretBytes> Ecdh(const EcKey& own_private, const EcKey& peer_public) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own_private.evp_pkey(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "ECDH initialisation failed");
  }
  if (EVP_PKEY_derive_set_peer(ctx.get(), peer_public.evp_pkey()) != 1) {
    return OpenSslFailure(StatusCode::kInvalidArgument, "ECDH peer key refused");
  }
  size_t len = 0;
  if (EVP_PKEY_derive(ctx.get(), nullptr, &len) != 1 || len == 0) {
    return OpenSslFailure(StatusCode::kInternal, "ECDH length query failed");
  }
  SecretBytes z(len);
  if (EVP_PKEY_derive(ctx.get(), z.data(), &len) != 1) return OpenSslFailure(StatusCode::kInternal, "ECDH failed");
  z.Truncate(len);
  return z;
}

// HKDF-SHA-384 (RFC 5869) through EVP_KDF. crypto/hkdf.h offers only SHA-256; the wrap uses the
// hash matching the P-384 curve's security level, as CNSA and SP 800-56C pair them.
Result<SecretBytes> HkdfSha384(std::span<const uint8_t> ikm, std::span<const uint8_t> salt,
                               std::span<const uint8_t> info, size_t length) {
  EvpKdfPtr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return OpenSslFailure(StatusCode::kInternal, "HKDF unavailable");
  EvpKdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return OpenSslFailure(StatusCode::kInternal, "HKDF context allocation failed");
  char digest[] = "SHA384";
  // OSSL_PARAM takes non-const pointers; OpenSSL only reads these buffers.
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<uint8_t*>(ikm.data()), ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<uint8_t*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<uint8_t*>(info.data()), info.size()),
      OSSL_PARAM_construct_end()};
  SecretBytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "HKDF-SHA-384 derivation failed");
  }
  return out;
}

Result<Aes256Gcm> DeriveKek(std::span<const uint8_t> shared, const KeyWrapRecipientId& recipient,
                            std::span<const uint8_t> ephemeral_point, std::string_view label) {
  std::vector<uint8_t> salt(ephemeral_point.begin(), ephemeral_point.end());
  salt.insert(salt.end(), recipient.begin(), recipient.end());
  std::vector<uint8_t> info(kInfoPrefix.begin(), kInfoPrefix.end());
  info.push_back(0);
  info.insert(info.end(), label.begin(), label.end());
  S3ML_ASSIGN_OR_RETURN(SecretBytes kek, HkdfSha384(shared, salt, info, kKekSize));
  return Aes256Gcm::Create(kek.span());
}

}  // namespace

Result<KeyWrapRecipientId> KeyWrapRecipientIdOf(const EcKey& key) {
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> spki, key.PublicKeyDer());
  return Sha256(spki);
}

Result<std::vector<uint8_t>> WrapKey(const EcKey& recipient_public_key, std::string_view label,
                                     std::span<const uint8_t> secret) {
  S3ML_RETURN_IF_ERROR(RequireP384(recipient_public_key, "key wrap recipient"));
  S3ML_RETURN_IF_ERROR(CheckLabel(label));
  if (secret.empty() || secret.size() > kMaxWrappedSecretSize) {
    return InvalidArgument("wrapped secret must be 1.." + std::to_string(kMaxWrappedSecretSize) + " bytes, got " +
                           std::to_string(secret.size()));
  }
  S3ML_ASSIGN_OR_RETURN(KeyWrapRecipientId recipient, KeyWrapRecipientIdOf(recipient_public_key));
  S3ML_ASSIGN_OR_RETURN(EcKey ephemeral, EcKey::Generate(EcCurve::kP384));
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> point, ephemeral.RawPublicKey());
  S3ML_ASSIGN_OR_RETURN(SecretBytes shared, Ecdh(ephemeral, recipient_public_key));
  S3ML_ASSIGN_OR_RETURN(Aes256Gcm aead, DeriveKek(shared.span(), recipient, point, label));
  std::vector<uint8_t> out = BuildHeader(recipient, label, point);
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> sealed, aead.Seal(secret, out));
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

Result<KeyWrapHeader> ParseKeyWrapHeader(std::span<const uint8_t> wrapped) {
  ByteReader r(wrapped);
  std::span<const uint8_t> magic;
  if (!r.ReadBytes(sizeof(kMagic), &magic) || !std::equal(magic.begin(), magic.end(), std::begin(kMagic))) {
    return DataLoss("wrapped key does not start with the S3KW magic");
  }
  KeyWrapHeader h;
  uint8_t curve = 0, label_size = 0;
  if (!r.ReadU8(&h.version)) return DataLoss("wrapped key header is truncated");
  if (h.version != kKeyWrapFormatVersion) {
    return DataLoss("wrapped key format version " + std::to_string(h.version) + " is not supported (1)");
  }
  if (!r.ReadU8(&curve)) return DataLoss("wrapped key header is truncated");
  if (curve != kCurveP384) {
    return DataLoss("wrapped key names curve " + std::to_string(curve) + ", only 2 (P-384) is supported");
  }
  std::span<const uint8_t> label;
  if (!r.CopyBytes(h.recipient) || !r.ReadU8(&label_size) || !r.ReadBytes(label_size, &label) ||
      !r.Skip(kEphemeralPointSize)) {
    return DataLoss("wrapped key header is truncated");
  }
  if (label.empty()) return DataLoss("wrapped key header: label is empty");
  h.label.assign(label.begin(), label.end());
  h.size = r.offset();
  return h;
}

Result<SecretBytes> UnwrapKey(const EcKey& recipient_private_key, std::string_view label,
                              std::span<const uint8_t> wrapped) {
  S3ML_RETURN_IF_ERROR(RequireP384(recipient_private_key, "key unwrap key"));
  if (!recipient_private_key.has_private_key()) return InvalidArgument("key unwrap needs a private key");
  S3ML_RETURN_IF_ERROR(CheckLabel(label));
  S3ML_ASSIGN_OR_RETURN(KeyWrapHeader header, ParseKeyWrapHeader(wrapped));
  S3ML_ASSIGN_OR_RETURN(KeyWrapRecipientId own_id, KeyWrapRecipientIdOf(recipient_private_key));
  if (header.recipient != own_id) {
    return PermissionDenied("key is wrapped for recipient key " + ShortId(header.recipient) + "..., not for " +
                            ShortId(own_id) + "... (wrong private key)");
  }
  if (header.label != label) {
    return PermissionDenied("key is wrapped for label '" + header.label + "', not '" + std::string(label) + "'");
  }
  if (wrapped.size() < header.size + Aes256Gcm::kOverhead) {
    return DataLoss("wrapped key is truncated: no room for nonce and tag");
  }
  const std::span<const uint8_t> aad = wrapped.first(header.size);
  const std::span<const uint8_t> point = aad.last(kEphemeralPointSize);
  auto ephemeral = EcKey::FromRawPublicKey(EcCurve::kP384, point);
  if (!ephemeral.ok()) return DataLoss("wrapped key: ephemeral public key is not a point on P-384");
  auto shared = Ecdh(recipient_private_key, ephemeral.value());
  if (!shared.ok()) return DataLoss("wrapped key: ephemeral public key refused: " + shared.status().message());
  S3ML_ASSIGN_OR_RETURN(Aes256Gcm aead, DeriveKek(shared->span(), own_id, point, label));
  auto secret = aead.Open(wrapped.subspan(header.size), aad);
  if (!secret.ok()) return DataLoss("wrapped key failed authentication: it was altered or truncated");
  return std::move(secret).value();
}

}  // namespace s3ml::crypto
