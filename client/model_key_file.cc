#include "client/model_key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "client/encrypted_model.h"
#include "crypto/random.h"

namespace s3ml::client {
namespace {

constexpr size_t kMaxKeyFile = 256;

bool IsSpace(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

Result<crypto::SecretBytes> GenerateModelKey() { return crypto::RandomSecret(kModelKeySize); }

Status WriteNewModelKeyFile(const std::string& path, const crypto::SecretBytes& key) {
  if (key.size() != kModelKeySize) return InvalidArgument("model key must be 32 bytes");
  crypto::SecretBytes text(2 * kModelKeySize + 1);
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < key.size(); ++i) {
    text.data()[2 * i] = static_cast<uint8_t>(kDigits[key.data()[i] >> 4]);
    text.data()[2 * i + 1] = static_cast<uint8_t>(kDigits[key.data()[i] & 0xf]);
  }
  text.data()[2 * kModelKeySize] = '\n';
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return AlreadyExists(path + " already exists; refusing to overwrite a key");
    return FailedPrecondition("cannot create " + path + ": " + std::strerror(errno));
  }
  bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return FailedPrecondition("cannot write " + path);
  }
  return Status::Ok();
}

Result<crypto::SecretBytes> ReadModelKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(path + " does not exist");
    return FailedPrecondition("cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgument(path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return PermissionDenied(path + " is accessible by group or others; chmod 600 it");
  }
  crypto::SecretBytes buffer(kMaxKeyFile + 1);
  size_t size = 0;
  while (size < buffer.size()) {
    ssize_t n = ::read(fd, buffer.data() + size, buffer.size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size += static_cast<size_t>(n);
  }
  ::close(fd);
  if (size > kMaxKeyFile) return InvalidArgument(path + " is too large for a model key file");
  if (size == kModelKeySize) return crypto::SecretBytes(buffer.span().first(size));
  size_t begin = 0, end = size;
  while (begin < end && IsSpace(buffer.data()[begin])) ++begin;
  while (end > begin && IsSpace(buffer.data()[end - 1])) --end;
  if (end - begin != 2 * kModelKeySize) {
    return InvalidArgument(path + ": a model key file holds 64 hex digits (or 32 raw bytes)");
  }
  crypto::SecretBytes key(kModelKeySize);
  for (size_t i = 0; i < kModelKeySize; ++i) {
    auto nibble = [](uint8_t c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = nibble(buffer.data()[begin + 2 * i]);
    int lo = nibble(buffer.data()[begin + 2 * i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgument(path + ": not hex");
    key.data()[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return key;
}

}  // namespace s3ml::client
