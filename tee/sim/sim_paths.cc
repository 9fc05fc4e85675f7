#include "tee/sim/sim_paths.h"

#include <cstdlib>

namespace s3ml::tee::sim {

Result<std::string> DefaultSimDirectory() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/s3ml/sim";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] == '/') return std::string(home) + "/.local/share/s3ml/sim";
  return FailedPrecondition("no simulated platform directory: set --dir, XDG_DATA_HOME or HOME");
}

Result<std::string> DefaultQeSocketPath() {
  const char* env = std::getenv("S3ML_SIM_QE_SOCKET");
  if (env != nullptr && env[0] != '\0') return std::string(env);
  S3ML_ASSIGN_OR_RETURN(std::string dir, DefaultSimDirectory());
  return SimPaths(dir).socket();
}

}  // namespace s3ml::tee::sim
