// Finding the programs a local cluster runs: HAProxy from the system, and the s3ml binaries that
// sit next to the running `s3ml` (build/bin/ or an install prefix's bin/).
#ifndef S3ML_CLUSTER_EXECUTABLE_LOOKUP_H_
#define S3ML_CLUSTER_EXECUTABLE_LOOKUP_H_

#include <string>

#include "core/status.h"

namespace s3ml::cluster {

// The first executable `name` in $PATH, then /usr/local/sbin, /usr/sbin, /sbin (HAProxy lives in
// sbin, which an ordinary user's PATH may lack). kNotFound naming what was searched.
Result<std::string> FindExecutable(const std::string& name);

// The directory of the running executable (/proc/self/exe).
Result<std::string> SelfDirectory();

// `dir/name` if it is an executable file, else kNotFound with a hint to build it.
Result<std::string> ExecutableIn(const std::string& dir, const std::string& name);

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_EXECUTABLE_LOOKUP_H_
