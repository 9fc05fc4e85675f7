#include "client/owner_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/base64.h"
#include "core/file.h"
#include "crypto/random.h"
#include "crypto/x509_builder.h"
#include "crypto/x509_certificate.h"

namespace s3ml::client {
namespace {

constexpr size_t kMaxPemFile = 64 * 1024;
constexpr int64_t kBackdateSeconds = 300;

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// Creates `path` exclusively (never replaces an existing file, even one created meanwhile) and
// makes its contents durable.
Status WriteNewFile(const std::string& path, std::span<const uint8_t> data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    if (errno == EEXIST) return AlreadyExists(path + " already exists; refusing to overwrite");
    return FailedPrecondition("cannot create " + path + ": " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return FailedPrecondition("cannot write " + path + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  // The umask may have narrowed the mode; fchmod sets it exactly.
  bool ok = ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return FailedPrecondition("cannot finish " + path);
  }
  return Status::Ok();
}

Status EnsureDirectory(const std::string& directory) {
  if (::mkdir(directory.c_str(), 0700) == 0) return Status::Ok();
  if (errno != EEXIST) return FailedPrecondition("cannot create directory " + directory + ": " + std::strerror(errno));
  struct stat st;
  if (::stat(directory.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return FailedPrecondition(directory + " is not a directory");
  return Status::Ok();
}

std::span<const uint8_t> Bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

Status RequireP384(const crypto::EcKey& key, const std::string& path) {
  if (key.curve() != crypto::EcCurve::kP384) return InvalidArgument(path + ": not an EC P-384 key");
  return Status::Ok();
}

// A private key readable by others is a key someone else may hold: refuse to use it.
Status CheckPrivateFileMode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFound(path + " does not exist");
    return FailedPrecondition("cannot stat " + path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return PermissionDenied(path + " is accessible by group or others (mode " + mode + "); chmod 600 it");
  }
  return Status::Ok();
}

Result<std::string> ReadPem(const std::string& path) {
  auto text = ReadFileText(path, kMaxPemFile);
  if (!text.ok()) {
    if (!Exists(path)) return NotFound(path + " does not exist");
    return text.status().WithContext(path);
  }
  return std::move(text).value();
}

}  // namespace

OwnerKeyPaths OwnerKeyPathsIn(const std::string& directory) {
  std::string d = directory.empty() ? "." : directory;
  return {d + "/" + kOwnerKeyFile, d + "/" + kOwnerCertificateFile, d + "/" + kRecoveryKeyFile,
          d + "/" + kRecoveryPublicKeyFile};
}

Result<OwnerKeys> CreateOwnerKeys(const std::string& directory, const Clock& clock, const OwnerKeyOptions& options) {
  if (options.certificate_lifetime_seconds <= 0) return InvalidArgument("owner certificate lifetime must be positive");
  OwnerKeyPaths paths = OwnerKeyPathsIn(directory);
  for (const std::string* p : {&paths.owner_key, &paths.owner_certificate, &paths.recovery_key, &paths.recovery_public_key}) {
    if (Exists(*p)) return AlreadyExists(*p + " already exists; refusing to overwrite owner keys");
  }
  S3ML_RETURN_IF_ERROR(EnsureDirectory(directory.empty() ? "." : directory));

  S3ML_ASSIGN_OR_RETURN(auto owner_key, crypto::EcKey::Generate(crypto::EcCurve::kP384));
  S3ML_ASSIGN_OR_RETURN(auto recovery_key, crypto::EcKey::Generate(crypto::EcCurve::kP384));
  S3ML_ASSIGN_OR_RETURN(auto serial, crypto::RandomBytes(16));
  serial[0] &= 0x7f;  // a positive INTEGER
  const int64_t now = clock.NowUnixSeconds();
  S3ML_ASSIGN_OR_RETURN(auto certificate, crypto::X509Builder()
                                              .SetSubject({{"CN", "s3ml owner"}})
                                              .SetSerialNumber(std::move(serial))
                                              .SetValidity(now - kBackdateSeconds, now + options.certificate_lifetime_seconds)
                                              .SetPublicKey(owner_key)
                                              .SetKeyUsage(crypto::kKeyUsageDigitalSignature)
                                              .SetBasicConstraints(false)
                                              .Build(owner_key));
  OwnerKeys keys{std::move(owner_key), {}, {}, {}, {}};
  S3ML_ASSIGN_OR_RETURN(keys.owner_key_pem, keys.owner_key.PrivateKeyPem());
  S3ML_ASSIGN_OR_RETURN(keys.owner_certificate_pem, certificate.Pem());
  S3ML_ASSIGN_OR_RETURN(keys.owner_public_key_pem, keys.owner_key.PublicKeyPem());
  S3ML_ASSIGN_OR_RETURN(keys.recovery_public_key_pem, recovery_key.PublicKeyPem());
  S3ML_ASSIGN_OR_RETURN(auto recovery_pem, recovery_key.PrivateKeyPem());

  struct NewFile {
    const std::string* path;
    std::span<const uint8_t> data;
    mode_t mode;
  };
  const NewFile files[] = {
      {&paths.owner_key, keys.owner_key_pem.span(), 0600},
      {&paths.recovery_key, recovery_pem.span(), 0600},
      {&paths.owner_certificate, Bytes(keys.owner_certificate_pem), 0644},
      {&paths.recovery_public_key, Bytes(keys.recovery_public_key_pem), 0644},
  };
  std::vector<const std::string*> written;
  for (const NewFile& f : files) {
    Status s = WriteNewFile(*f.path, f.data, f.mode);
    if (!s.ok()) {
      // All or nothing: a half-made owner directory would later look like a complete one.
      for (const std::string* p : written) ::unlink(p->c_str());
      return s;
    }
    written.push_back(f.path);
  }
  int dir_fd = ::open((directory.empty() ? "." : directory).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return keys;
}

Result<OwnerKeys> LoadOwnerKeys(const std::string& directory) {
  OwnerKeyPaths paths = OwnerKeyPathsIn(directory);
  S3ML_RETURN_IF_ERROR(CheckPrivateFileMode(paths.owner_key));
  S3ML_ASSIGN_OR_RETURN(std::string key_pem, ReadPem(paths.owner_key));
  crypto::SecretBytes key_secret(Bytes(key_pem));
  std::fill(key_pem.begin(), key_pem.end(), '\0');
  auto owner_key = crypto::EcKey::FromPrivateKeyPem(
      std::string_view(reinterpret_cast<const char*>(key_secret.data()), key_secret.size()));
  if (!owner_key.ok()) return InvalidArgument(paths.owner_key + ": not a PEM private key: " + owner_key.status().message());
  S3ML_RETURN_IF_ERROR(RequireP384(owner_key.value(), paths.owner_key));

  S3ML_ASSIGN_OR_RETURN(std::string certificate_pem, ReadPem(paths.owner_certificate));
  auto certificate = crypto::X509Certificate::FromPem(certificate_pem);
  if (!certificate.ok()) return InvalidArgument(paths.owner_certificate + ": not a PEM certificate: " + certificate.status().message());
  S3ML_ASSIGN_OR_RETURN(auto certificate_spki, certificate->SubjectPublicKeyInfoDer());
  S3ML_ASSIGN_OR_RETURN(auto owner_spki, owner_key->PublicKeyDer());
  if (certificate_spki != owner_spki) {
    return InvalidArgument(paths.owner_certificate + " does not hold the key of " + paths.owner_key);
  }
  if (!certificate->VerifySignedBy(owner_key.value()).ok()) {
    return InvalidArgument(paths.owner_certificate + " is not self-signed by the owner key");
  }

  S3ML_ASSIGN_OR_RETURN(std::string recovery_pem, ReadPem(paths.recovery_public_key));
  auto recovery = crypto::EcKey::FromPublicKeyPem(recovery_pem);
  if (!recovery.ok()) return InvalidArgument(paths.recovery_public_key + ": not a PEM public key: " + recovery.status().message());
  S3ML_RETURN_IF_ERROR(RequireP384(recovery.value(), paths.recovery_public_key));

  OwnerKeys keys{std::move(owner_key).value(), std::move(key_secret), std::move(certificate_pem), {}, {}};
  S3ML_ASSIGN_OR_RETURN(keys.owner_public_key_pem, keys.owner_key.PublicKeyPem());
  S3ML_ASSIGN_OR_RETURN(keys.recovery_public_key_pem, recovery->PublicKeyPem());
  return keys;
}

Result<std::string> SignManifest(const crypto::EcKey& owner_key, std::span<const uint8_t> manifest_bytes) {
  if (owner_key.curve() != crypto::EcCurve::kP384) return InvalidArgument("the owner key must be EC P-384");
  S3ML_ASSIGN_OR_RETURN(auto signature, owner_key.SignDer(manifest_bytes));
  return Base64Encode(signature);
}

}  // namespace s3ml::client
