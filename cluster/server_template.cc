#include "cluster/server_template.h"

#include <algorithm>
#include <vector>

namespace s3ml::cluster {
namespace {

// Replaces the value after `flag`; false if the flag is absent or has no value.
bool ReplaceFlagValue(std::vector<std::string>& argv, const std::string& flag, const std::string& value) {
  auto it = std::find(argv.begin(), argv.end(), flag);
  if (it == argv.end() || it + 1 == argv.end()) return false;
  *(it + 1) = value;
  return true;
}

std::string Endpoint(const std::string& address, uint16_t port) {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace

Result<ComponentRecord> CloneServerComponent(const ComponentRecord& server_template, const ServerSlot& slot) {
  if (server_template.kind != "server") return InvalidArgument(server_template.name + " is not a server");
  if (slot.port == 0 || slot.metrics_port == 0 || slot.agent_port == 0)
    return InvalidArgument("server " + slot.name + " needs its three ports");
  ComponentRecord c = server_template;
  c.name = slot.name;
  c.port = slot.port;
  c.metrics_port = slot.metrics_port;
  c.agent_port = slot.agent_port;
  c.epc_host = slot.epc_host;
  const std::pair<const char*, std::string> flags[] = {{"--listen", Endpoint(slot.address, slot.port)},
                                                       {"--metrics", Endpoint(slot.address, slot.metrics_port)},
                                                       {"--agent", Endpoint(slot.address, slot.agent_port)}};
  for (const auto& [flag, value] : flags) {
    if (!ReplaceFlagValue(c.argv, flag, value))
      return InvalidArgument("template " + server_template.name + " has no " + flag + " flag");
  }
  const bool has_epc_flag = std::find(c.argv.begin(), c.argv.end(), "--epc-host") != c.argv.end();
  if (slot.epc_host.empty() == has_epc_flag)
    return InvalidArgument("template " + server_template.name +
                           (has_epc_flag ? " runs on an emulated host but the new server has none"
                                         : " has no --epc-host for host " + slot.epc_host));
  if (has_epc_flag && !ReplaceFlagValue(c.argv, "--epc-host", slot.epc_host))
    return InvalidArgument("template " + server_template.name + " has an empty --epc-host flag");
  return c;
}

}  // namespace s3ml::cluster
