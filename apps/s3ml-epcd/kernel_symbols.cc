#include "apps/s3ml-epcd/kernel_symbols.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace s3ml::epcd {
namespace {

// The name field of one kallsyms line, or empty if the line is malformed.
std::string_view NameField(std::string_view line) {
  auto next_field = [&line]() -> std::string_view {
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos) return {};
    line.remove_prefix(start);
    const size_t end = line.find_first_of(" \t");
    std::string_view field = line.substr(0, end);
    line.remove_prefix(end == std::string_view::npos ? line.size() : end);
    return field;
  };
  const std::string_view address = next_field();
  const std::string_view type = next_field();
  const std::string_view name = next_field();
  if (address.empty() || type.size() != 1 || name.empty()) return {};
  if (address.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) return {};
  return name;
}

}  // namespace

std::map<std::string, std::string> FindKernelSymbols(std::string_view text, const std::vector<std::string>& wanted) {
  std::map<std::string, std::string> exact, clone;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    const std::string_view name = NameField(line);
    if (name.empty()) continue;
    for (const std::string& w : wanted) {
      if (name == w) {
        exact.emplace(w, std::string(name));
      } else if (name.size() > w.size() + 1 && name.substr(0, w.size()) == w && name[w.size()] == '.') {
        clone.emplace(w, std::string(name));  // keeps the first clone seen
      }
    }
  }
  for (auto& [w, name] : clone) exact.emplace(w, name);  // exact names win
  return exact;
}

Result<std::map<std::string, std::string>> RequireKernelSymbols(const std::string& path,
                                                                const std::vector<std::string>& wanted) {
  std::ifstream in(path);
  if (!in) {
    const int err = errno;
    if (err == ENOENT) return NotFound(path + " does not exist");
    if (err == EACCES) return PermissionDenied("cannot read " + path + ": " + std::strerror(err));
    return Internal("cannot read " + path + ": " + std::strerror(err));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::map<std::string, std::string> found = FindKernelSymbols(text.str(), wanted);
  for (const std::string& w : wanted) {
    if (found.count(w) == 0) {
      return FailedPrecondition(w + " not found in " + path + ": this kernel has no in-kernel SGX driver " +
                                "(Linux 5.11+ with CONFIG_X86_SGX=y), so EPC paging cannot be counted");
    }
  }
  return found;
}

}  // namespace s3ml::epcd
