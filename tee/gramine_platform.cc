#include "tee/gramine_platform.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/byte_reader.h"
#include "core/file.h"
#include "crypto/hkdf.h"
#include "tee/sgx_report_layout.h"

namespace s3ml::tee {
namespace {

constexpr size_t kMaxQuoteSize = 64 * 1024;
constexpr size_t kSgxKeySize = 16;

// Gramine's pseudo-files take one write() of the whole value; no temporary file + rename.
Status WritePseudoFile(const std::string& path, std::span<const uint8_t> data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Unavailable("cannot open " + path + ": " + std::strerror(errno));
  ssize_t n;
  do {
    n = ::write(fd, data.data(), data.size());
  } while (n < 0 && errno == EINTR);
  int saved = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(data.size())) {
    return Unavailable("cannot write " + std::to_string(data.size()) + " bytes to " + path + ": " +
                       std::strerror(saved));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<GraminePlatform>> GraminePlatform::Open(std::string root) {
  const std::string type_path = root + "/attestation_type";
  auto type = ReadFileText(type_path, 64);
  if (!type.ok()) return type.status().WithContext("Gramine attestation interface (is this running inside Gramine?)");
  std::string t = type.value();
  while (!t.empty() && (t.back() == '\n' || t.back() == '\0' || t.back() == ' ')) t.pop_back();
  if (t != "dcap") {
    return FailedPrecondition(type_path + " is '" + t + "', not 'dcap' (set sgx.remote_attestation = \"dcap\")");
  }
  return std::unique_ptr<GraminePlatform>(new GraminePlatform(std::move(root)));
}

Result<std::vector<uint8_t>> GraminePlatform::GetQuote(std::span<const uint8_t> report_data) {
  S3ML_RETURN_IF_ERROR(CheckReportDataSize(report_data));
  std::lock_guard<std::mutex> lock(mu_);
  S3ML_RETURN_IF_ERROR(WritePseudoFile(root_ + "/user_report_data", report_data));
  auto quote = ReadFileBytes(root_ + "/quote", kMaxQuoteSize);
  if (!quote.ok()) return quote.status().WithContext("Gramine quote");
  // A quote shorter than header + report body cannot be a quote at all.
  if (quote->size() < kQuoteSignedSize) {
    return InvalidArgument("Gramine quote is " + std::to_string(quote->size()) +
                           " bytes, shorter than a quote header and report body");
  }
  return quote;
}

Result<crypto::SecretBytes> GraminePlatform::GetSealKey(SealKeyPolicy policy, std::string_view label) {
  S3ML_RETURN_IF_ERROR(CheckSealKeyLabel(label));
  const std::string path =
      root_ + (policy == SealKeyPolicy::kMrEnclave ? "/keys/_sgx_mrenclave" : "/keys/_sgx_mrsigner");
  auto raw = ReadFileBytes(path, 256);
  if (!raw.ok()) return raw.status().WithContext("Gramine seal key");
  crypto::SecretBytes sgx_key(raw.value());
  OPENSSL_cleanse(raw->data(), raw->size());
  if (sgx_key.size() != kSgxKeySize) {
    return InvalidArgument(path + " holds " + std::to_string(sgx_key.size()) + " bytes, not a 16-byte SGX key");
  }
  // HKDF stretches the 128-bit SGX key to 256 bits and separates labels; the policy is in the
  // info too so that the two SGX keys can never yield the same derived key.
  std::string info = "s3ml-gramine-seal-key-v1/";
  info += SealKeyPolicyName(policy);
  info += "/";
  info += label;
  return crypto::HkdfSha256(sgx_key.span(), AsBytes("s3ml-gramine-seal"), AsBytes(info), kSealKeySize);
}

Result<Identity> GraminePlatform::SelfIdentity() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (identity_) return *identity_;
  }
  std::array<uint8_t, kReportDataSize> zeros{};
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> quote, GetQuote(zeros));
  S3ML_ASSIGN_OR_RETURN(Identity id, IdentityFromQuote(quote));
  std::lock_guard<std::mutex> lock(mu_);
  identity_ = id;
  return id;
}

}  // namespace s3ml::tee
