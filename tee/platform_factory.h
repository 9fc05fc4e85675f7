// CreatePlatform: the one place that turns a backend name ("sim" or "gramine", e.g. from a
// --tee flag) into a Platform. Unknown names are kInvalidArgument listing the valid ones.
#ifndef S3ML_TEE_PLATFORM_FACTORY_H_
#define S3ML_TEE_PLATFORM_FACTORY_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "tee/platform.h"

namespace s3ml::tee {

struct PlatformOptions {
  // sim: the quoting daemon's socket; empty = $S3ML_SIM_QE_SOCKET, else <sim dir>/qe.sock.
  std::string sim_qe_socket;
  // gramine: the attestation pseudo-file directory.
  std::string gramine_root = "/dev/attestation";
};

Result<std::unique_ptr<Platform>> CreatePlatform(std::string_view name, const PlatformOptions& options);

}  // namespace s3ml::tee

#endif  // S3ML_TEE_PLATFORM_FACTORY_H_
