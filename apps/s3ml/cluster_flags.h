// The --state-dir flag shared by `s3ml up`, `s3ml down` and `s3ml status` (header-only: this
// folder compiles only *_command.cc files besides main.cc).
#ifndef S3ML_APPS_S3ML_CLUSTER_FLAGS_H_
#define S3ML_APPS_S3ML_CLUSTER_FLAGS_H_

#include <filesystem>
#include <string>

#include "apps/s3ml/command.h"
#include "cluster/cluster_state.h"

namespace s3ml::cli {

inline void AddStateDirFlag(CLI::App* cmd, std::string* dir) {
  cmd->add_option("--state-dir", *dir, "Cluster state directory (default $XDG_STATE_HOME/s3ml/cluster)");
}

// The flag's value made absolute, or the default directory.
inline std::string ResolveStateDir(const std::string& flag) {
  const std::string dir = flag.empty() ? ValueOrFail(cluster::DefaultClusterStateDir(), "--state-dir") : flag;
  std::error_code ec;
  return std::filesystem::absolute(dir, ec).lexically_normal().string();
}

}  // namespace s3ml::cli

#endif  // S3ML_APPS_S3ML_CLUSTER_FLAGS_H_
