#include "tee/sim/process_identifier.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "core/file.h"
#include "core/hex.h"
#include "core/unique_fd.h"
#include "tee/sim/sim_sigstruct.h"

namespace s3ml::tee::sim {
namespace {


std::tuple<uint64_t, uint64_t, int64_t, int64_t, int64_t> KeyOf(const struct stat& st) {
  return {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino), static_cast<int64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec), static_cast<int64_t>(st.st_mtim.tv_nsec)};
}

// Reads a small file through an open descriptor (bounded).
Result<std::string> ReadAll(int fd, size_t max, const std::string& what) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Internal("reading " + what + ": " + std::strerror(errno));
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max) return ResourceExhausted(what + " is larger than " + std::to_string(max) + " bytes");
  }
  return out;
}

}  // namespace

size_t ProcessIdentifier::measurements_computed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return computed_;
}

Result<Identity> ProcessIdentifier::Identify(pid_t pid) {
  if (pid <= 0) return PermissionDenied("caller has no process id (SO_PEERCRED gave " + std::to_string(pid) + ")");
  const std::string exe_link = proc_root_ + "/" + std::to_string(pid) + "/exe";
  char target[4096];
  ssize_t len = ::readlink(exe_link.c_str(), target, sizeof(target) - 1);
  if (len <= 0) return Unavailable("cannot resolve the caller's executable " + exe_link + ": " + std::strerror(errno));
  std::string path(target, static_cast<size_t>(len));
  // The kernel marks a replaced or removed executable; the mapped file is still what we measure,
  // and its configuration and signature are looked up where it was.
  constexpr std::string_view kDeleted = " (deleted)";
  if (path.size() > kDeleted.size() && path.compare(path.size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0) {
    path.resize(path.size() - kDeleted.size());
  }

  UniqueFd exe(::open(exe_link.c_str(), O_RDONLY | O_CLOEXEC));
  if (exe.get() < 0)
    return Unavailable("cannot open the caller's executable " + exe_link + ": " + std::strerror(errno));
  struct stat exe_st;
  if (::fstat(exe.get(), &exe_st) != 0) return Internal(std::string("fstat: ") + std::strerror(errno));

  const std::string config_path = EnclaveConfigPath(path);
  UniqueFd config(::open(config_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (config.get() < 0) {
    return FailedPrecondition("enclave configuration " + config_path + " is missing: the caller " + path +
                              " is not an enclave program");
  }
  struct stat config_st;
  if (::fstat(config.get(), &config_st) != 0) return Internal(std::string("fstat: ") + std::strerror(errno));
  const CacheKey key{KeyOf(exe_st), KeyOf(config_st)};

  EnclaveMeasurement measurement;
  bool cached = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      measurement = it->second;
      cached = true;
    }
  }
  if (!cached) {
    S3ML_ASSIGN_OR_RETURN(std::string config_text, ReadAll(config.get(), kMaxEnclaveConfigSize, config_path));
    auto m = MeasureEnclave(exe.get(), config_text);
    if (!m.ok()) return m.status().WithContext("measuring " + path);
    measurement = m.value();
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.size() >= kMaxCacheEntries) cache_.clear();
    cache_.emplace(key, measurement);
    ++computed_;
  }

  const std::string sig_path = SigstructPath(path);
  auto sig_bytes = ReadFileBytes(sig_path, kMaxSigstructSize);
  if (!sig_bytes.ok()) {
    if (sig_bytes.status().code() == StatusCode::kNotFound) {
      return PermissionDenied("enclave " + path + " is unsigned: " + sig_path + " is missing (run `s3ml sim sign`)");
    }
    return PermissionDenied("enclave " + path + " is unsigned: " + sig_bytes.status().message());
  }
  auto sig = ParseAndVerifySigstruct(sig_bytes.value());
  if (!sig.ok()) return PermissionDenied("enclave " + path + " is unsigned: " + sig.status().message());
  if (sig->mrenclave != measurement.mrenclave) {
    return PermissionDenied("enclave " + path + " is unsigned: its sigstruct signs MRENCLAVE " +
                            HexEncode(sig->mrenclave) + " but the running executable measures " +
                            HexEncode(measurement.mrenclave) +
                            " (rebuilt or patched: re-sign it with `s3ml sim sign`)");
  }

  // The process must still run the executable we measured (it may have exec'd meanwhile).
  struct stat again;
  if (::stat(exe_link.c_str(), &again) != 0 || again.st_dev != exe_st.st_dev || again.st_ino != exe_st.st_ino) {
    return Unavailable("caller process " + std::to_string(pid) + " changed or exited while it was measured");
  }

  Identity id;
  id.mrenclave = measurement.mrenclave;
  id.mrsigner = sig->mrsigner;
  id.isv_prod_id = sig->isv_prod_id;
  id.isv_svn = sig->isv_svn;
  id.debug = measurement.config.debug;
  return id;
}

}  // namespace s3ml::tee::sim
