#include "tee/platform_factory.h"

#include "tee/gramine_platform.h"
#include "tee/sim/sim_paths.h"
#include "tee/sim/sim_platform.h"

namespace s3ml::tee {

Result<std::unique_ptr<Platform>> CreatePlatform(std::string_view name, const PlatformOptions& options) {
  if (name == "sim") {
    std::string socket = options.sim_qe_socket;
    if (socket.empty()) {
      S3ML_ASSIGN_OR_RETURN(socket, sim::DefaultQeSocketPath());
    }
    return std::unique_ptr<Platform>(std::make_unique<sim::SimPlatform>(std::move(socket)));
  }
  if (name == "gramine") {
    S3ML_ASSIGN_OR_RETURN(std::unique_ptr<GraminePlatform> p, GraminePlatform::Open(options.gramine_root));
    return std::unique_ptr<Platform>(std::move(p));
  }
  return InvalidArgument("TEE backend '" + std::string(name) + "' is unknown (use sim or gramine)");
}

}  // namespace s3ml::tee
