#include "tee/sim/enclave_measurement.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/byte_reader.h"
#include "core/file.h"
#include "crypto/digest.h"
#include "tee/byte_writer.h"

namespace s3ml::tee::sim {
namespace {

std::vector<uint8_t> U64Le(uint64_t v) {
  ByteWriter w;
  w.U64Le(v);
  return w.Take();
}

}  // namespace

std::string EnclaveConfigPath(std::string_view executable_path) {
  return std::string(executable_path) + ".enclave.json";
}
std::string SigstructPath(std::string_view executable_path) { return std::string(executable_path) + ".sigstruct"; }

Result<EnclaveConfig> ParseEnclaveConfig(std::string_view json_text) {
  if (json_text.size() > kMaxEnclaveConfigSize) return InvalidArgument("enclave configuration is larger than 64 KiB");
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("enclave configuration is not a JSON object");
  EnclaveConfig config;
  if (!j.contains("debug") || !j["debug"].is_boolean()) {
    return InvalidArgument("enclave configuration: \"debug\" must be true or false");
  }
  config.debug = j["debug"].get<bool>();
  for (const auto& [key, value] : j.items()) {
    if (key != "debug") return InvalidArgument("enclave configuration: unknown member \"" + key + "\"");
  }
  return config;
}

Result<EnclaveMeasurement> MeasureEnclave(int exe_fd, std::string_view config_text) {
  S3ML_ASSIGN_OR_RETURN(EnclaveConfig config, ParseEnclaveConfig(config_text));
  struct stat st;
  if (::fstat(exe_fd, &st) != 0)
    return Internal(std::string("fstat of the enclave executable: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return InvalidArgument("enclave executable is not a regular file");
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > kMaxEnclaveExecutableSize) return ResourceExhausted("enclave executable is larger than 1 GiB");

  crypto::Digester d(crypto::DigestAlgorithm::kSha256);
  d.Update(AsBytes("s3ml-sim-mrenclave-v1")).Update(U64Le(size));
  std::vector<uint8_t> buffer(1 << 16);
  uint64_t offset = 0;
  while (offset < size) {
    ssize_t n = ::pread(exe_fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Internal(std::string("reading the enclave executable: ") + std::strerror(errno));
    if (n == 0) return DataLoss("enclave executable shrank while it was measured");
    const uint64_t take = std::min<uint64_t>(static_cast<uint64_t>(n), size - offset);
    d.Update(std::span<const uint8_t>(buffer.data(), static_cast<size_t>(take)));
    offset += take;
  }
  d.Update(U64Le(config_text.size())).Update(AsBytes(config_text));
  EnclaveMeasurement m;
  const std::vector<uint8_t> digest = d.Finish();
  std::copy(digest.begin(), digest.end(), m.mrenclave.begin());
  m.config = config;
  return m;
}

Result<EnclaveMeasurement> MeasureEnclaveFile(const std::string& executable_path) {
  const std::string config_path = EnclaveConfigPath(executable_path);
  auto config = ReadFileText(config_path, kMaxEnclaveConfigSize);
  if (!config.ok()) {
    if (config.status().code() == StatusCode::kNotFound) {
      return FailedPrecondition("enclave configuration " + config_path + " is missing");
    }
    return config.status().WithContext("enclave configuration " + config_path);
  }
  int fd = ::open(executable_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return errno == ENOENT ? NotFound("enclave executable " + executable_path + " does not exist")
                           : Internal("cannot open " + executable_path + ": " + std::strerror(errno));
  }
  auto m = MeasureEnclave(fd, config.value());
  ::close(fd);
  if (!m.ok()) return m.status().WithContext(executable_path);
  return m;
}

}  // namespace s3ml::tee::sim
