#include "apps/s3ml-epcd/sgx_sysfs.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/checked_math.h"

namespace s3ml::epcd {
namespace {

bool IsNodeDirName(const std::string& name) {
  return name.size() > 4 && name.compare(0, 4, "node") == 0 &&
         name.find_first_not_of("0123456789", 4) == std::string::npos;
}

Result<uint64_t> ReadByteCount(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return Internal("cannot read " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return DataLoss(file.string() + " does not hold a byte count: \"" + text.substr(0, 40) + "\"");
  }
  return value;
}

}  // namespace

Result<uint64_t> SumSgxTotalBytes(const std::string& node_dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(node_dir, ec);
  if (ec) return NotFound("cannot list " + node_dir + ": " + ec.message());
  uint64_t total = 0;
  int nodes = 0;
  for (const auto& entry : it) {
    if (!IsNodeDirName(entry.path().filename().string())) continue;
    const std::filesystem::path file = entry.path() / "x86" / "sgx_total_bytes";
    if (!std::filesystem::exists(file, ec)) continue;
    S3ML_ASSIGN_OR_RETURN(uint64_t bytes, ReadByteCount(file));
    if (!CheckedAdd(total, bytes, &total)) return DataLoss("sgx_total_bytes under " + node_dir + " overflow");
    ++nodes;
  }
  if (nodes == 0) {
    return NotFound("no " + node_dir + "/node*/x86/sgx_total_bytes: SGX is not enabled on this machine or "
                    "the kernel does not report EPC per node");
  }
  return total;
}

}  // namespace s3ml::epcd
