// Emulated SGX hosts of a local cluster (`s3ml up --hosts K`): their names and where servers go.
//
// Each emulated host is one simulated EPC (tee/epc), a POSIX shared-memory segment named after the
// host ("/s3ml-epc-<host>"). Segment names are global to the machine, so host names carry a short
// hash of the cluster's state directory: two clusters (or two tests) never share an EPC, and the
// same state directory always gives the same names. Pure functions, no I/O.
#ifndef S3ML_CLUSTER_EMULATED_HOSTS_H_
#define S3ML_CLUSTER_EMULATED_HOSTS_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace s3ml::cluster {

inline constexpr int kMaxEmulatedHosts = 16;

// 8 lowercase hex digits (FNV-1a 32 of the path): stable across runs, not a security measure.
std::string StateDirTag(std::string_view state_dir);

// "<tag>-host-0" .. "<tag>-host-<count-1>" (valid tee/epc host ids). InvalidArgument unless
// 1 <= count <= kMaxEmulatedHosts.
Result<std::vector<std::string>> EmulatedHostNames(std::string_view state_dir, int count);

// Host of each of `servers` servers, in order: each goes to the least-pressured host
// (cluster/hpa_policy.h PickHostForNewServer) counting the servers placed so far, which on equally
// idle hosts spreads them round-robin. InvalidArgument for no hosts or a negative count.
Result<std::vector<std::string>> PlaceServersOnHosts(const std::vector<std::string>& hosts, int servers);

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_EMULATED_HOSTS_H_
