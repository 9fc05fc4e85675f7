// Ports of a local cluster: either a fixed block from a base port (the user's --base-port, so the
// service URL is predictable) or ports the kernel picks (base 0: tests running side by side).
// Either way every port is checked free by binding it on the host before it is handed out.
#ifndef S3ML_CLUSTER_PORT_PLAN_H_
#define S3ML_CLUSTER_PORT_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace s3ml::cluster {

// `count` distinct TCP ports free on `host` (an IP literal): base_port .. base_port+count-1, or
// kernel-chosen ones when base_port is 0. kAlreadyExists naming a port already in use,
// kInvalidArgument if the block passes 65535 or host is not an IP literal.
Result<std::vector<uint16_t>> ReservePorts(const std::string& host, uint16_t base_port, size_t count);

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_PORT_PLAN_H_
