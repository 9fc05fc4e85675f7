#include "tee/epc/host_segment.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace s3ml::tee::epc {

Result<std::string> HostSegmentName(std::string_view host_id) {
  if (host_id.empty() || host_id.size() > 64) {
    return InvalidArgument("EPC host id must be 1..64 characters, got " + std::to_string(host_id.size()));
  }
  for (char c : host_id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    if (!ok) return InvalidArgument("EPC host id '" + std::string(host_id) + "' may only hold [A-Za-z0-9_.-]");
  }
  if (host_id == "." || host_id == "..") return InvalidArgument("EPC host id may not be '.' or '..'");
  return "/s3ml-epc-" + std::string(host_id);
}

bool ProcessIsAlive(int32_t pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno != EPERM) return false;
  // A zombie (exited, not yet reaped) still answers kill(); its state in /proc/<pid>/stat is 'Z'.
  // Only async-signal-safe calls here: this runs inside the page-fault handler too.
  char digits[12];
  int n_digits = 0;
  for (int32_t v = pid; v > 0; v /= 10) digits[n_digits++] = static_cast<char>('0' + v % 10);
  char path[40] = "/proc/";
  size_t len = 6;
  while (n_digits > 0) path[len++] = digits[--n_digits];
  std::memcpy(path + len, "/stat", 6);
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true;  // no /proc: trust kill()
  char buf[256];
  const ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return true;
  buf[n] = 0;
  const char* paren = std::strrchr(buf, ')');  // the command name may itself hold ')' or spaces
  return !(paren != nullptr && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X'));
}

}  // namespace s3ml::tee::epc
