#include "cluster/emulated_hosts.h"

#include <cstdint>
#include <cstdio>
#include <map>

#include "cluster/hpa_policy.h"

namespace s3ml::cluster {

std::string StateDirTag(std::string_view state_dir) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : state_dir) {
    hash ^= c;
    hash *= 16777619u;
  }
  char out[9];
  std::snprintf(out, sizeof(out), "%08x", hash);
  return out;
}

Result<std::vector<std::string>> EmulatedHostNames(std::string_view state_dir, int count) {
  if (count < 1 || count > kMaxEmulatedHosts)
    return InvalidArgument("the number of emulated hosts must be in 1.." + std::to_string(kMaxEmulatedHosts));
  const std::string tag = StateDirTag(state_dir);
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back(tag + "-host-" + std::to_string(i));
  return names;
}

Result<std::vector<std::string>> PlaceServersOnHosts(const std::vector<std::string>& hosts, int servers) {
  if (hosts.empty()) return InvalidArgument("no hosts to place servers on");
  if (servers < 0) return InvalidArgument("negative number of servers");
  // "host-10" sorts before "host-2": hand the policy zero-padded indices so its last tie-break
  // (host name) follows the hosts' order.
  std::vector<HostPressure> pressure;
  for (size_t i = 0; i < hosts.size(); ++i) {
    HostPressure p;
    char key[24];
    std::snprintf(key, sizeof(key), "%04zu", i);
    p.host = key;
    pressure.push_back(p);
  }
  std::vector<std::string> placement;
  for (int s = 0; s < servers; ++s) {
    S3ML_ASSIGN_OR_RETURN(std::string key, PickHostForNewServer(pressure));
    const size_t index = static_cast<size_t>(std::stoul(key));
    pressure[index].servers += 1;
    placement.push_back(hosts[index]);
  }
  return placement;
}

}  // namespace s3ml::cluster
