#include "crypto/digest.h"

#include <cstdlib>

namespace s3ml::crypto {

const EVP_MD* EvpMd(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::kSha256 ? EVP_sha256() : EVP_sha384();
}

Digester::Digester(DigestAlgorithm algorithm) : ctx_(EVP_MD_CTX_new()) {
  // Hash setup fails only when OpenSSL is out of memory or broken: not an input error, so abort
  // rather than hand back a digest of nothing.
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EvpMd(algorithm), nullptr) != 1) std::abort();
}

Digester& Digester::Update(std::span<const uint8_t> data) {
  if (!data.empty() && EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) std::abort();
  return *this;
}

std::vector<uint8_t> Digester::Finish() {
  std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) != 1) std::abort();
  out.resize(len);
  return out;
}

Sha256Digest Sha256(std::span<const uint8_t> data) {
  Sha256Digest d;
  auto v = Digester(DigestAlgorithm::kSha256).Update(data).Finish();
  std::copy(v.begin(), v.end(), d.begin());
  return d;
}

Sha384Digest Sha384(std::span<const uint8_t> data) {
  Sha384Digest d;
  auto v = Digester(DigestAlgorithm::kSha384).Update(data).Finish();
  std::copy(v.begin(), v.end(), d.begin());
  return d;
}

}  // namespace s3ml::crypto
