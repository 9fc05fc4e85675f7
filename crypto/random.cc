#include "crypto/random.h"

#include <openssl/rand.h>

#include "crypto/openssl_util.h"

namespace s3ml::crypto {

Status FillRandom(std::span<uint8_t> out) {
  if (out.empty()) return Status::Ok();
  S3ML_RETURN_IF_ERROR(CheckIntSize(out.size(), "random request"));
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "RAND_bytes failed");
  }
  return Status::Ok();
}

Result<std::vector<uint8_t>> RandomBytes(size_t n) {
  std::vector<uint8_t> out(n);
  S3ML_RETURN_IF_ERROR(FillRandom(out));
  return out;
}

Result<SecretBytes> RandomSecret(size_t n) {
  SecretBytes out(n);
  S3ML_RETURN_IF_ERROR(FillRandom(out.span()));
  return out;
}

}  // namespace s3ml::crypto
