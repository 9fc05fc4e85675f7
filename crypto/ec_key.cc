#include "crypto/ec_key.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstring>

#include "crypto/ecdsa_signature.h"

namespace s3ml::crypto {
namespace {

const char* GroupName(EcCurve curve) { return curve == EcCurve::kP256 ? "P-256" : "P-384"; }

bool HasPrivateComponent(EVP_PKEY* pkey) {
  BIGNUM* priv = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &priv) != 1) {
    ERR_clear_error();
    return false;
  }
  BN_clear_free(priv);
  return true;
}

template <typename Fn>
Result<std::vector<uint8_t>> I2d(Fn fn, EVP_PKEY* pkey, std::string_view what) {
  unsigned char* der = nullptr;
  int len = fn(pkey, &der);
  if (len <= 0) return OpenSslFailure(StatusCode::kInternal, std::string(what) + " encoding failed");
  std::vector<uint8_t> out(der, der + len);
  OPENSSL_clear_free(der, static_cast<size_t>(len));
  return out;
}

}  // namespace

std::string_view EcCurveName(EcCurve curve) { return curve == EcCurve::kP256 ? "P-256" : "P-384"; }
size_t EcFieldSize(EcCurve curve) { return curve == EcCurve::kP256 ? 32 : 48; }
DigestAlgorithm EcDigest(EcCurve curve) {
  return curve == EcCurve::kP256 ? DigestAlgorithm::kSha256 : DigestAlgorithm::kSha384;
}

Result<EcKey> EcKey::Generate(EcCurve curve) {
  EvpPkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", GroupName(curve)));
  if (!pkey) return OpenSslFailure(StatusCode::kInternal, "EC key generation failed");
  return EcKey(std::move(pkey), curve, true);
}

Result<EcKey> EcKey::FromEvpPkey(EvpPkeyPtr pkey) {
  if (!pkey) return InvalidArgument("no key");
  if (EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_EC) {
    return InvalidArgument("key is not an elliptic-curve key");
  }
  char group[64] = {};
  size_t group_len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     &group_len) != 1) {
    return OpenSslFailure(StatusCode::kInvalidArgument, "EC key has no named curve");
  }
  EcCurve curve;
  if (std::strcmp(group, "prime256v1") == 0 || std::strcmp(group, "P-256") == 0) {
    curve = EcCurve::kP256;
  } else if (std::strcmp(group, "secp384r1") == 0 || std::strcmp(group, "P-384") == 0) {
    curve = EcCurve::kP384;
  } else {
    return Unimplemented(std::string("unsupported EC curve ") + group + " (want P-256 or P-384)");
  }
  bool has_private = HasPrivateComponent(pkey.get());
  return EcKey(std::move(pkey), curve, has_private);
}

Result<EcKey> EcKey::FromPrivateKeyPem(std::string_view pem) {
  BioPtr bio = MemoryBio(AsBytes(pem));
  if (!bio) return ResourceExhausted("PEM private key is too large");
  EvpPkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) return OpenSslFailure(StatusCode::kInvalidArgument, "malformed PEM private key");
  return FromEvpPkey(std::move(pkey));
}

Result<EcKey> EcKey::FromPrivateKeyDer(std::span<const uint8_t> der) {
  S3ML_RETURN_IF_ERROR(CheckIntSize(der.size(), "DER private key"));
  const unsigned char* p = der.data();
  EvpPkeyPtr pkey(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
  if (!pkey) return OpenSslFailure(StatusCode::kInvalidArgument, "malformed DER private key");
  if (p != der.data() + der.size()) return InvalidArgument("trailing bytes after DER private key");
  return FromEvpPkey(std::move(pkey));
}

Result<EcKey> EcKey::FromPublicKeyPem(std::string_view pem) {
  BioPtr bio = MemoryBio(AsBytes(pem));
  if (!bio) return ResourceExhausted("PEM public key is too large");
  EvpPkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) return OpenSslFailure(StatusCode::kInvalidArgument, "malformed PEM public key");
  return FromEvpPkey(std::move(pkey));
}

Result<EcKey> EcKey::FromPublicKeyDer(std::span<const uint8_t> der) {
  S3ML_RETURN_IF_ERROR(CheckIntSize(der.size(), "DER public key"));
  const unsigned char* p = der.data();
  EvpPkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!pkey) return OpenSslFailure(StatusCode::kInvalidArgument, "malformed DER SubjectPublicKeyInfo");
  if (p != der.data() + der.size()) return InvalidArgument("trailing bytes after DER public key");
  return FromEvpPkey(std::move(pkey));
}

Result<EcKey> EcKey::FromRawPublicKey(EcCurve curve, std::span<const uint8_t> xy) {
  const size_t field = EcFieldSize(curve);
  if (xy.size() != 2 * field) {
    return InvalidArgument("raw " + std::string(EcCurveName(curve)) + " public key must be " +
                           std::to_string(2 * field) + " bytes, got " + std::to_string(xy.size()));
  }
  std::vector<uint8_t> point(1 + xy.size());
  point[0] = 0x04;  // SEC 1 uncompressed point
  std::copy(xy.begin(), xy.end(), point.begin() + 1);
  char group[16];
  std::strcpy(group, GroupName(curve));
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    return OpenSslFailure(StatusCode::kInvalidArgument,
                          "raw public key is not a point on " + std::string(EcCurveName(curve)));
  }
  return EcKey(EvpPkeyPtr(raw), curve, false);
}

Result<SecretBytes> EcKey::PrivateKeyPem() const {
  if (!has_private_) return FailedPrecondition("key has no private half");
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr,
                                            nullptr) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "PEM private key encoding failed");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0) return Internal("PEM private key encoding produced nothing");
  return SecretBytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(len)));
}

Result<SecretBytes> EcKey::PrivateKeyDer() const {
  if (!has_private_) return FailedPrecondition("key has no private half");
  OpenSslPtr<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free> p8(EVP_PKEY2PKCS8(pkey_.get()));
  if (!p8) return OpenSslFailure(StatusCode::kInternal, "PKCS#8 conversion failed");
  unsigned char* der = nullptr;
  int len = i2d_PKCS8_PRIV_KEY_INFO(p8.get(), &der);
  if (len <= 0) return OpenSslFailure(StatusCode::kInternal, "PKCS#8 DER encoding failed");
  SecretBytes out(std::span<const uint8_t>(der, static_cast<size_t>(len)));
  OPENSSL_clear_free(der, static_cast<size_t>(len));
  return out;
}

Result<std::string> EcKey::PublicKeyPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), pkey_.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "PEM public key encoding failed");
  }
  return BioContents(bio.get());
}

Result<std::vector<uint8_t>> EcKey::PublicKeyDer() const {
  return I2d([](EVP_PKEY* k, unsigned char** out) { return i2d_PUBKEY(k, out); }, pkey_.get(),
             "SubjectPublicKeyInfo");
}

Result<std::vector<uint8_t>> EcKey::RawPublicKey() const {
  uint8_t point[1 + 2 * 48];
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(pkey_.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point,
                                      sizeof(point), &len) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "public point export failed");
  }
  if (len != 1 + 2 * EcFieldSize(curve_) || point[0] != 0x04) {
    return Internal("public point is not in uncompressed form");
  }
  return std::vector<uint8_t>(point + 1, point + len);
}

Result<EcKey> EcKey::PublicKey() const {
  S3ML_ASSIGN_OR_RETURN(auto der, PublicKeyDer());
  return FromPublicKeyDer(der);
}

Result<std::vector<uint8_t>> EcKey::SignDer(std::span<const uint8_t> message) const {
  if (!has_private_) return FailedPrecondition("cannot sign: key has no private half");
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EvpMd(EcDigest(curve_)), nullptr, pkey_.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "ECDSA sign init failed");
  }
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, message.data(), message.size()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "ECDSA sign failed");
  }
  std::vector<uint8_t> sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, message.data(), message.size()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "ECDSA sign failed");
  }
  sig.resize(len);
  return sig;
}

Result<std::vector<uint8_t>> EcKey::SignRaw(std::span<const uint8_t> message) const {
  S3ML_ASSIGN_OR_RETURN(auto der, SignDer(message));
  return EcdsaDerToRaw(der, EcFieldSize(curve_));
}

Status EcKey::VerifyDer(std::span<const uint8_t> message, std::span<const uint8_t> der_signature) const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EvpMd(EcDigest(curve_)), nullptr, pkey_.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "ECDSA verify init failed");
  }
  int rc = EVP_DigestVerify(ctx.get(), der_signature.data(), der_signature.size(), message.data(),
                            message.size());
  if (rc == 1) return Status::Ok();
  DrainOpenSslErrors("");
  if (rc == 0) return PermissionDenied("ECDSA signature mismatch");
  return InvalidArgument("malformed ECDSA signature");
}

Status EcKey::VerifyRaw(std::span<const uint8_t> message, std::span<const uint8_t> raw_signature) const {
  if (raw_signature.size() != 2 * EcFieldSize(curve_)) {
    return InvalidArgument("raw ECDSA signature must be " + std::to_string(2 * EcFieldSize(curve_)) +
                           " bytes, got " + std::to_string(raw_signature.size()));
  }
  S3ML_ASSIGN_OR_RETURN(auto der, EcdsaRawToDer(raw_signature));
  return VerifyDer(message, der);
}

}  // namespace s3ml::crypto
