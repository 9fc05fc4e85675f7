// UniqueFd: owns a POSIX file descriptor and closes it when it goes out of scope (-1 = none).
// Movable, not copyable; release() hands the descriptor back to the caller, e.g. to close it
// explicitly and check the result (close errors matter after writes).
#ifndef S3ML_CORE_UNIQUE_FD_H_
#define S3ML_CORE_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace s3ml {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

}  // namespace s3ml

#endif  // S3ML_CORE_UNIQUE_FD_H_
