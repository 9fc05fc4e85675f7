// EcKey: an ECDSA key pair or public key on NIST P-256 or P-384 (OpenSSL EVP_PKEY).
//
// Import/export as PEM, DER (PKCS#8 / SubjectPublicKeyInfo) and, for public keys, raw x||y (the
// form SGX quotes carry). Signing hashes the message with the curve's digest (SHA-256 for P-256,
// SHA-384 for P-384) and yields DER or raw r||s. Verification returns ok or kPermissionDenied
// ("signature mismatch"); malformed input gives kInvalidArgument. Private keys leave only as
// SecretBytes.
#ifndef S3ML_CRYPTO_EC_KEY_H_
#define S3ML_CRYPTO_EC_KEY_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/digest.h"
#include "crypto/openssl_util.h"
#include "crypto/secret_bytes.h"

namespace s3ml::crypto {

enum class EcCurve { kP256, kP384 };

std::string_view EcCurveName(EcCurve curve);
// Field size in bytes: 32 (P-256) or 48 (P-384).
size_t EcFieldSize(EcCurve curve);
DigestAlgorithm EcDigest(EcCurve curve);

class EcKey {
 public:
  static Result<EcKey> Generate(EcCurve curve);
  // Takes ownership of an EVP_PKEY; refuses keys that are not EC on P-256/P-384.
  static Result<EcKey> FromEvpPkey(EvpPkeyPtr pkey);

  static Result<EcKey> FromPrivateKeyPem(std::string_view pem);
  static Result<EcKey> FromPrivateKeyDer(std::span<const uint8_t> der);
  static Result<EcKey> FromPublicKeyPem(std::string_view pem);
  // DER SubjectPublicKeyInfo.
  static Result<EcKey> FromPublicKeyDer(std::span<const uint8_t> der);
  // Raw uncompressed point coordinates x||y (64 bytes for P-256, 96 for P-384).
  static Result<EcKey> FromRawPublicKey(EcCurve curve, std::span<const uint8_t> xy);

  EcCurve curve() const { return curve_; }
  bool has_private_key() const { return has_private_; }
  // The underlying handle, for other crypto/ wrappers (certificate builders, TLS). Still owned here.
  EVP_PKEY* evp_pkey() const { return pkey_.get(); }

  Result<SecretBytes> PrivateKeyPem() const;  // PKCS#8 PEM
  Result<SecretBytes> PrivateKeyDer() const;  // PKCS#8 DER
  Result<std::string> PublicKeyPem() const;
  Result<std::vector<uint8_t>> PublicKeyDer() const;  // SubjectPublicKeyInfo
  Result<std::vector<uint8_t>> RawPublicKey() const;  // x||y
  // A copy holding only the public half.
  Result<EcKey> PublicKey() const;

  // REQUIRES: has_private_key(), else kFailedPrecondition.
  Result<std::vector<uint8_t>> SignDer(std::span<const uint8_t> message) const;
  Result<std::vector<uint8_t>> SignRaw(std::span<const uint8_t> message) const;
  Status VerifyDer(std::span<const uint8_t> message, std::span<const uint8_t> der_signature) const;
  Status VerifyRaw(std::span<const uint8_t> message, std::span<const uint8_t> raw_signature) const;

 private:
  EcKey(EvpPkeyPtr pkey, EcCurve curve, bool has_private)
      : pkey_(std::move(pkey)), curve_(curve), has_private_(has_private) {}

  EvpPkeyPtr pkey_;
  EcCurve curve_;
  bool has_private_;
};

}  // namespace s3ml::crypto

#endif  // S3ML_CRYPTO_EC_KEY_H_
