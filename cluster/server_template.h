// A new model server for a running cluster, cloned from one of its servers (the way a
// Kubernetes pod template works): same signed enclave binary, ECS, attestation and EPC policy
// flags; its own name, ports and emulated host. Pure: no I/O.
#ifndef S3ML_CLUSTER_SERVER_TEMPLATE_H_
#define S3ML_CLUSTER_SERVER_TEMPLATE_H_

#include <cstdint>
#include <string>

#include "cluster/cluster_state.h"
#include "core/status.h"

namespace s3ml::cluster {

struct ServerSlot {
  std::string name;       // "server-<n>"
  std::string address;    // IP literal the server listens on
  uint16_t port = 0;      // inference (TLS)
  uint16_t metrics_port = 0;
  uint16_t agent_port = 0;
  std::string epc_host;   // "" when the cluster has no emulated hosts
};

// The template's argv with the values of --listen, --metrics, --agent (and --epc-host when the
// slot names a host) replaced. InvalidArgument when the template is not a server, lacks one of
// those flags (or --epc-host while the slot names a host, or has one while it does not), or a
// port is 0.
Result<ComponentRecord> CloneServerComponent(const ComponentRecord& server_template, const ServerSlot& slot);

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_SERVER_TEMPLATE_H_
