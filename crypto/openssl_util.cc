#include "crypto/openssl_util.h"

#include <openssl/err.h>

#include <climits>
#include <ctime>

namespace s3ml::crypto {

std::string DrainOpenSslErrors(std::string_view what) {
  std::string message(what);
  unsigned long first = ERR_get_error();
  if (first != 0) {
    char buf[256];
    ERR_error_string_n(first, buf, sizeof(buf));
    message += " (";
    message += buf;
    message += ")";
  }
  ERR_clear_error();
  return message;
}

Status OpenSslFailure(StatusCode code, std::string_view what) {
  return Status(code, DrainOpenSslErrors(what));
}

BioPtr MemoryBio(std::span<const uint8_t> bytes) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(len));
}

Result<int64_t> Asn1TimeToUnix(const ASN1_TIME* t) {
  struct tm tm_value = {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm_value) != 1) {
    return OpenSslFailure(StatusCode::kInvalidArgument, "malformed ASN.1 time");
  }
  return static_cast<int64_t>(timegm(&tm_value));
}

Status CheckIntSize(size_t n, std::string_view what) {
  if (n > static_cast<size_t>(INT_MAX)) {
    return ResourceExhausted(std::string(what) + " is too large (" + std::to_string(n) + " bytes)");
  }
  return Status::Ok();
}

}  // namespace s3ml::crypto
