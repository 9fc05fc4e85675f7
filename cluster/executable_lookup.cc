#include "cluster/executable_lookup.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace s3ml::cluster {
namespace {

bool IsExecutableFile(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

Result<std::string> FindExecutable(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos) return InvalidArgument("bad program name '" + name + "'");
  std::string search = std::getenv("PATH") ? std::getenv("PATH") : "";
  search += ":/usr/local/sbin:/usr/sbin:/sbin";
  std::istringstream dirs(search);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
  }
  return NotFound(name + " not found in PATH or sbin directories (is it installed? `make deps` installs haproxy)");
}

Result<std::string> SelfDirectory() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return Internal("cannot read /proc/self/exe: " + ec.message());
  return exe.parent_path().string();
}

Result<std::string> ExecutableIn(const std::string& dir, const std::string& name) {
  const std::string path = dir + "/" + name;
  if (!IsExecutableFile(path)) return NotFound(path + " does not exist or is not executable (build the target " + name + ")");
  return path;
}

}  // namespace s3ml::cluster
