// HaproxyRuntime: a client of HAProxy's runtime API (the admin "stats socket", a Unix socket).
//
// Each call opens a connection, sends one command line, reads the reply until HAProxy closes the
// connection (non-interactive mode) and interprets it; every call is bounded by a timeout.
// HAProxy answers errors as free text, so each operation knows the reply that means success and
// turns anything else into a Status carrying HAProxy's words. Commands are built from validated
// names only (no ';' or newline can reach the socket, which would chain commands).
//
// Dynamic servers (HAProxy >= 2.4): `add server` creates a server in maintenance with checks
// disabled; AddServer therefore also enables the health check and the agent and sets it ready.
// RemoveServer undoes that in the order HAProxy requires (agent off, maintenance, delete).
#ifndef S3ML_CLUSTER_HAPROXY_RUNTIME_H_
#define S3ML_CLUSTER_HAPROXY_RUNTIME_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace s3ml::cluster {

// One row of `show servers state` (format version 1).
struct HaproxyServerState {
  std::string backend;
  std::string name;
  std::string address;
  uint16_t port = 0;
  int op_state = 0;      // 0 stopped (DOWN), 1 starting, 2 running (UP), 3 stopping
  int admin_state = 0;   // mask: 0x01 forced maint, 0x04 config maint, 0x08 forced drain, ...
  int weight = 0;        // current user-visible weight (agent-check can change it)
  uint16_t agent_port = 0;

  bool up() const { return op_state == 2 || op_state == 1; }
  bool in_maintenance() const { return (admin_state & (0x01 | 0x02 | 0x04 | 0x20)) != 0; }
  bool draining() const { return (admin_state & (0x08 | 0x10)) != 0; }
  // "UP", "DOWN", "MAINT", "DRAIN" as an operator would say it.
  std::string Describe() const;
};

// Parses the reply of `show servers state [backend]`. kInvalidArgument for an unknown format
// version, a missing column or a malformed row.
Result<std::vector<HaproxyServerState>> ParseServersState(std::string_view reply);

struct DynamicServer {
  std::string name;           // [A-Za-z0-9._-]{1,64}
  std::string address;        // IPv4 or IPv6 literal
  uint16_t port = 0;          // inference (TLS) port
  uint16_t agent_port = 0;    // agent-check port on the same address; 0 = no agent
};

struct ServerCheckOptions {
  int check_interval_ms = 500;
  int fall = 2;               // failed checks before DOWN
  int rise = 1;               // passed checks before UP
  int agent_interval_ms = 1000;
  int weight = 100;           // initial weight; the agent's "up NN%" scales it
};

// The `add server` command line for a server (exposed for tests). kInvalidArgument for bad names,
// addresses or ports.
Result<std::string> AddServerCommand(const std::string& backend, const DynamicServer& server,
                                     const ServerCheckOptions& checks);

enum class ServerAdminState { kReady, kDrain, kMaint };

class HaproxyRuntime {
 public:
  explicit HaproxyRuntime(std::string socket_path,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

  // Sends one command and returns HAProxy's raw reply. kUnavailable if the socket cannot be
  // reached, kDeadlineExceeded on timeout, kInvalidArgument for a command holding ';' or a newline.
  Result<std::string> Execute(std::string_view command) const;

  Status AddServer(const std::string& backend, const DynamicServer& server, const ServerCheckOptions& checks) const;
  // Stops the agent, puts the server in maintenance and deletes it, retrying the delete while
  // HAProxy still holds connections to it, until `timeout`.
  Status RemoveServer(const std::string& backend, const std::string& name,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) const;
  Status SetServerState(const std::string& backend, const std::string& name, ServerAdminState state) const;
  Status SetServerWeight(const std::string& backend, const std::string& name, int weight) const;
  // All servers of `backend` (empty: all backends).
  Result<std::vector<HaproxyServerState>> ServersState(const std::string& backend = "") const;
  // Waits until HAProxy reports the named servers up (op state UP and not in maintenance).
  Status WaitForServersUp(const std::string& backend, const std::vector<std::string>& names,
                          std::chrono::milliseconds timeout) const;

  const std::string& socket_path() const { return socket_path_; }

 private:
  // Execute, then require the reply to be empty (whitespace) or to start with `expected`.
  Status ExpectReply(const std::string& command, std::string_view expected) const;

  std::string socket_path_;
  std::chrono::milliseconds timeout_;
};

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_HAPROXY_RUNTIME_H_
