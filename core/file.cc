#include "core/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/unique_fd.h"

namespace s3ml {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path) {
  const int err = errno;
  std::string m = what + " " + path + ": " + std::strerror(err);
  return err == ENOENT ? NotFound(std::move(m)) : Unavailable(std::move(m));
}


Status WriteAll(int fd, std::span<const uint8_t> data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("open", path);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("stat", path);
  if (!S_ISREG(st.st_mode)) return InvalidArgument(path + " is not a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    return ResourceExhausted(path + " is " + std::to_string(st.st_size) + " bytes, more than the limit of " +
                             std::to_string(max_bytes));
  }
  std::vector<uint8_t> out(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", path);
    }
    if (n == 0) break;  // the file shrank while we read it
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

Result<std::string> ReadFileText(const std::string& path, size_t max_bytes) {
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, ReadFileBytes(path, max_bytes));
  return std::string(bytes.begin(), bytes.end());
}

Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> data, unsigned mode) {
  const std::filesystem::path target(path);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string tmp_name = ".";
  tmp_name += target.filename().string();
  tmp_name += ".tmp.XXXXXX";
  std::string tmpl = (dir / tmp_name).string();
  UniqueFd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("create temporary file in", dir.string());
  auto cleanup_on_error = [&](Status s) {
    ::unlink(tmpl.c_str());
    return s;
  };
  if (::fchmod(fd.get(), mode) != 0) return cleanup_on_error(ErrnoStatus("chmod", tmpl));
  if (Status s = WriteAll(fd.get(), data, tmpl); !s.ok()) return cleanup_on_error(s);
  if (::fsync(fd.get()) != 0) return cleanup_on_error(ErrnoStatus("fsync", tmpl));
  if (::close(fd.release()) != 0) return cleanup_on_error(ErrnoStatus("close", tmpl));
  if (::rename(tmpl.c_str(), path.c_str()) != 0) return cleanup_on_error(ErrnoStatus("rename to", path));
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() < 0) return ErrnoStatus("open directory", dir.string());
  if (::fsync(dfd.get()) != 0) return ErrnoStatus("fsync directory", dir.string());
  return Status::Ok();
}

}  // namespace s3ml
