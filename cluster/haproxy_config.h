// HaproxyConfig: renders the haproxy.cfg of the local cluster.
//
// HAProxy is an untrusted L4 balancer here: `mode tcp` with TLS passthrough (TLS ends inside the
// enclaves, every server holds the same service certificate), a plain TCP health check on the
// inference port and an `agent-check` on each server's agent port (weights and drain). The
// backend starts empty and uses a dynamic algorithm (roundrobin) so servers can be added and
// removed at runtime through the admin socket (haproxy_runtime.h). Render validates its input
// (names, ports, paths without characters that would break the file) and returns the text.
#ifndef S3ML_CLUSTER_HAPROXY_CONFIG_H_
#define S3ML_CLUSTER_HAPROXY_CONFIG_H_

#include <cstdint>
#include <string>

#include "core/status.h"

namespace s3ml::cluster {

struct HaproxyConfigOptions {
  std::string admin_socket;          // Unix socket of the runtime API (level admin, mode 600)
  std::string bind_address = "127.0.0.1";
  uint16_t service_port = 8443;      // the frontend clients connect to
  std::string frontend = "s3ml_service";
  std::string backend = "s3ml_servers";
  int connect_timeout_ms = 2000;
  int client_timeout_ms = 60000;
  int server_timeout_ms = 60000;
  int check_timeout_ms = 1000;
  int retries = 3;                   // connect retries; the last one goes to another server
  int max_connections = 4096;
};

// REQUIRES nothing; kInvalidArgument names the first bad option.
Result<std::string> RenderHaproxyConfig(const HaproxyConfigOptions& options);

// True for names HAProxy accepts for proxies and servers and that are safe on the runtime API
// command line: [A-Za-z0-9._-]{1,64}.
bool IsValidHaproxyName(const std::string& name);

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_HAPROXY_CONFIG_H_
