#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <string>

#include "crypto/openssl_util.h"

namespace s3ml::crypto {

Result<SecretBytes> HkdfSha256(std::span<const uint8_t> secret, std::span<const uint8_t> salt,
                               std::span<const uint8_t> info, size_t length) {
  if (secret.empty()) return InvalidArgument("HKDF secret is empty");
  if (length == 0 || length > 255 * 32) {
    return InvalidArgument("HKDF-SHA256 output length " + std::to_string(length) +
                           " is outside [1, 8160]");
  }
  EvpKdfPtr kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return OpenSslFailure(StatusCode::kInternal, "HKDF unavailable");
  EvpKdfCtxPtr ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return OpenSslFailure(StatusCode::kInternal, "HKDF context allocation failed");

  char digest[] = "SHA256";
  // OSSL_PARAM takes non-const pointers; OpenSSL only reads these buffers.
  auto* secret_ptr = const_cast<uint8_t*>(secret.data());
  auto* salt_ptr = const_cast<uint8_t*>(salt.data());
  auto* info_ptr = const_cast<uint8_t*>(info.data());
  OSSL_PARAM params[5];
  int n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, secret_ptr, secret.size());
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt_ptr, salt.size());
  }
  if (!info.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info_ptr, info.size());
  }
  params[n] = OSSL_PARAM_construct_end();

  SecretBytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "HKDF derivation failed");
  }
  return out;
}

}  // namespace s3ml::crypto
