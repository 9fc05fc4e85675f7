// The simulated platform's measurement of an enclave program: MRENCLAVE over the executable and
// its enclave configuration "<executable>.enclave.json" (like Gramine's manifest beside the app),
// so a rebuilt or patched binary, or a changed configuration, is a different enclave.
//
//   MRENCLAVE = SHA-256("s3ml-sim-mrenclave-v1" || u64le exe size || exe bytes
//                                               || u64le config size || config bytes)
//
// The configuration is a JSON object {"debug": bool} (other members are refused so that a typo
// cannot silently change the meaning). A missing configuration is kFailedPrecondition naming the
// expected path. The executable is read through an open descriptor, so the daemon measures the
// file the process actually mapped (/proc/<pid>/exe), even if its path was since replaced.
#ifndef S3ML_TEE_SIM_ENCLAVE_MEASUREMENT_H_
#define S3ML_TEE_SIM_ENCLAVE_MEASUREMENT_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace s3ml::tee::sim {

inline constexpr size_t kMaxEnclaveConfigSize = 64 * 1024;
inline constexpr uint64_t kMaxEnclaveExecutableSize = 1ull << 30;

struct EnclaveConfig {
  bool debug = false;
};

struct EnclaveMeasurement {
  std::array<uint8_t, 32> mrenclave{};
  EnclaveConfig config;
};

std::string EnclaveConfigPath(std::string_view executable_path);
std::string SigstructPath(std::string_view executable_path);

Result<EnclaveConfig> ParseEnclaveConfig(std::string_view json_text);

// exe_fd: an open descriptor of the executable (not closed here).
Result<EnclaveMeasurement> MeasureEnclave(int exe_fd, std::string_view config_text);
// Opens the executable and its configuration by path (for `s3ml sim sign`).
Result<EnclaveMeasurement> MeasureEnclaveFile(const std::string& executable_path);

}  // namespace s3ml::tee::sim

#endif  // S3ML_TEE_SIM_ENCLAVE_MEASUREMENT_H_
