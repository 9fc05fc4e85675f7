// The state directory of a local cluster (`s3ml up --state-dir D`) and the record `s3ml up`
// leaves in it for `s3ml down`, `s3ml status`, tests and the autoscaler.
//
//   D/cluster.json        ClusterRecord: ports, components and how to start each one again
//   D/sim/                the simulated SGX host (`s3ml sim init`), D/sim/qe.sock its quoting daemon
//   D/enclaves/           signed copies of s3ml-ecs and s3ml-server (+ .enclave.json, .sigstruct)
//   D/signer.key.pem      the enclave signing key (MRSIGNER of the manifest identity)
//   D/owner/              the model owner's keys (docs/protocol.md)
//   D/ecs/                the ECS's sealed state
//   D/repository/         the encrypted model repository (untrusted storage)
//   D/root-ca.pem         the attested s3ml root CA that clients pin
//   D/haproxy.cfg, D/haproxy.sock   HAProxy's configuration and admin socket
//   D/logs/<name>.log, D/run/<name>.pid   per-process logs and pid files (process_supervisor.h)
// With `--hosts K` the record also lists the emulated SGX hosts (cluster/emulated_hosts.h), whose
// simulated EPCs live outside D, in /dev/shm/s3ml-epc-<host>, until `s3ml down` removes them.
//
// The record is JSON; loading checks every member (it is our own file, but a hand-edited or
// truncated file must give a clear error, not a crash).
#ifndef S3ML_CLUSTER_CLUSTER_STATE_H_
#define S3ML_CLUSTER_CLUSTER_STATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace s3ml::cluster {

struct ClusterLayout {
  explicit ClusterLayout(std::string dir) : root(std::move(dir)) {}
  std::string root;
  std::string record() const { return root + "/cluster.json"; }
  std::string sim() const { return root + "/sim"; }
  std::string qe_socket() const { return root + "/sim/qe.sock"; }
  std::string enclaves() const { return root + "/enclaves"; }
  std::string signer_key() const { return root + "/signer.key.pem"; }
  std::string owner() const { return root + "/owner"; }
  std::string ecs_state() const { return root + "/ecs"; }
  std::string repository() const { return root + "/repository"; }
  std::string root_ca() const { return root + "/root-ca.pem"; }
  std::string haproxy_config() const { return root + "/haproxy.cfg"; }
  std::string haproxy_socket() const { return root + "/haproxy.sock"; }
  std::string logs() const { return root + "/logs"; }
  std::string run() const { return root + "/run"; }
};

// $XDG_STATE_HOME/s3ml/cluster, else $HOME/.local/state/s3ml/cluster; kFailedPrecondition if
// neither variable is set.
Result<std::string> DefaultClusterStateDir();

// One supervised process: enough to show it and to start it again.
struct ComponentRecord {
  std::string name;                   // "qe", "ecs", "server-1", ..., "haproxy"
  std::string kind;                   // "qe" | "ecs" | "server" | "haproxy" | "epcd" | "autoscaler"
  std::vector<std::string> argv;
  std::vector<std::string> env;       // KEY=VALUE added to the environment
  std::string ready_log_line;         // readiness: this line in its log ("" = port check)
  uint16_t port = 0;                  // main port (0 = none, e.g. the quoting daemon)
  uint16_t metrics_port = 0;          // servers only
  uint16_t agent_port = 0;            // servers only
  std::string epc_host;               // servers and EPC exporters of an emulated host; "" = none
};

// One emulated SGX host: its simulated EPC segment and capacity (optional in the file: a record
// written without hosts has none).
struct EmulatedHostRecord {
  std::string name;                   // tee/epc host id
  double capacity_mib = 0;
  std::string exporter;               // component name of its s3ml-epcd
};

struct ClusterRecord {
  std::string host = "127.0.0.1";
  uint16_t service_port = 0;          // HAProxy's frontend
  uint16_t ecs_port = 0;
  std::string backend = "s3ml_servers";
  std::string ecs_mrsigner;           // hex: the signer of both enclaves
  std::string server_mrenclave;       // hex: informational (the manifest pins the signer)
  std::vector<std::string> models;
  std::vector<ComponentRecord> components;  // in start order
  std::vector<EmulatedHostRecord> hosts;    // empty: no simulated EPC (servers without --epc-host)
  int agent_interval_ms = 1000;             // HAProxy agent-check interval of every server (optional)

  std::string service_url() const;
  std::string ecs_url() const;
  // nullptr if there is no component of that name.
  const ComponentRecord* Find(const std::string& name) const;
  std::vector<const ComponentRecord*> Servers() const;
  // The servers whose epc_host is `host`.
  std::vector<const ComponentRecord*> ServersOn(const std::string& host) const;
};

std::string SerializeClusterRecord(const ClusterRecord& record);
Result<ClusterRecord> ParseClusterRecord(std::string_view json_text);
Status SaveClusterRecord(const ClusterLayout& layout, const ClusterRecord& record);
// kNotFound (naming the directory) when no cluster was ever started there.
Result<ClusterRecord> LoadClusterRecord(const ClusterLayout& layout);

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_CLUSTER_STATE_H_
