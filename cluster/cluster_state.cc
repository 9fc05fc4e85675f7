#include "cluster/cluster_state.h"

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/file.h"

namespace s3ml::cluster {
namespace {

using nlohmann::json;

Result<std::string> GetString(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return InvalidArgument(std::string("cluster record: '") + key + "' must be a string");
  return j[key].get<std::string>();
}

Result<uint16_t> GetPort(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number_unsigned() || j[key].get<uint64_t>() > 65535)
    return InvalidArgument(std::string("cluster record: '") + key + "' must be a port number");
  return static_cast<uint16_t>(j[key].get<uint64_t>());
}

Result<std::vector<std::string>> GetStrings(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_array())
    return InvalidArgument(std::string("cluster record: '") + key + "' must be an array of strings");
  std::vector<std::string> out;
  for (const auto& v : j[key]) {
    if (!v.is_string()) return InvalidArgument(std::string("cluster record: '") + key + "' must hold strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

// An optional string member: "" when absent.
Result<std::string> GetOptionalString(const json& j, const char* key) {
  if (!j.contains(key)) return std::string();
  return GetString(j, key);
}

}  // namespace

Result<std::string> DefaultClusterStateDir() {
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state != '\0')
    return std::string(state) + "/s3ml/cluster";
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    return std::string(home) + "/.local/state/s3ml/cluster";
  return FailedPrecondition("neither XDG_STATE_HOME nor HOME is set; pass --state-dir");
}

std::string ClusterRecord::service_url() const { return "https://" + host + ":" + std::to_string(service_port); }
std::string ClusterRecord::ecs_url() const { return "https://" + host + ":" + std::to_string(ecs_port); }

const ComponentRecord* ClusterRecord::Find(const std::string& name) const {
  for (const auto& c : components)
    if (c.name == name) return &c;
  return nullptr;
}

std::vector<const ComponentRecord*> ClusterRecord::Servers() const {
  std::vector<const ComponentRecord*> servers;
  for (const auto& c : components)
    if (c.kind == "server") servers.push_back(&c);
  return servers;
}

std::vector<const ComponentRecord*> ClusterRecord::ServersOn(const std::string& epc_host) const {
  std::vector<const ComponentRecord*> servers;
  for (const auto* s : Servers())
    if (s->epc_host == epc_host) servers.push_back(s);
  return servers;
}

std::string SerializeClusterRecord(const ClusterRecord& r) {
  json components = json::array();
  for (const auto& c : r.components) {
    components.push_back({{"name", c.name},
                          {"kind", c.kind},
                          {"argv", c.argv},
                          {"env", c.env},
                          {"ready_log_line", c.ready_log_line},
                          {"port", c.port},
                          {"metrics_port", c.metrics_port},
                          {"agent_port", c.agent_port}});
    if (!c.epc_host.empty()) components.back()["epc_host"] = c.epc_host;
  }
  json hosts = json::array();
  for (const auto& h : r.hosts)
    hosts.push_back({{"name", h.name}, {"capacity_mib", h.capacity_mib}, {"exporter", h.exporter}});
  json j = {{"version", 1},
            {"host", r.host},
            {"service_port", r.service_port},
            {"ecs_port", r.ecs_port},
            {"backend", r.backend},
            {"ecs_mrsigner", r.ecs_mrsigner},
            {"server_mrenclave", r.server_mrenclave},
            {"models", r.models},
            {"agent_interval_ms", r.agent_interval_ms},
            {"components", components}};
  if (!r.hosts.empty()) j["hosts"] = hosts;
  return j.dump(2) + "\n";
}

Result<ClusterRecord> ParseClusterRecord(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("cluster record is not a JSON object");
  if (!j.contains("version") || j["version"] != 1) return InvalidArgument("cluster record: unsupported version");
  ClusterRecord r;
  S3ML_ASSIGN_OR_RETURN(r.host, GetString(j, "host"));
  S3ML_ASSIGN_OR_RETURN(r.service_port, GetPort(j, "service_port"));
  S3ML_ASSIGN_OR_RETURN(r.ecs_port, GetPort(j, "ecs_port"));
  S3ML_ASSIGN_OR_RETURN(r.backend, GetString(j, "backend"));
  S3ML_ASSIGN_OR_RETURN(r.ecs_mrsigner, GetString(j, "ecs_mrsigner"));
  S3ML_ASSIGN_OR_RETURN(r.server_mrenclave, GetString(j, "server_mrenclave"));
  S3ML_ASSIGN_OR_RETURN(r.models, GetStrings(j, "models"));
  if (j.contains("agent_interval_ms")) {
    const json& v = j["agent_interval_ms"];
    if (!v.is_number_integer() || v.get<int64_t>() < 50 || v.get<int64_t>() > 60000)
      return InvalidArgument("cluster record: 'agent_interval_ms' must be an integer in 50..60000");
    r.agent_interval_ms = v.get<int>();
  }
  if (!j.contains("components") || !j["components"].is_array())
    return InvalidArgument("cluster record: 'components' must be an array");
  for (const auto& cj : j["components"]) {
    if (!cj.is_object()) return InvalidArgument("cluster record: a component is not an object");
    ComponentRecord c;
    S3ML_ASSIGN_OR_RETURN(c.name, GetString(cj, "name"));
    S3ML_ASSIGN_OR_RETURN(c.kind, GetString(cj, "kind"));
    S3ML_ASSIGN_OR_RETURN(c.argv, GetStrings(cj, "argv"));
    S3ML_ASSIGN_OR_RETURN(c.env, GetStrings(cj, "env"));
    S3ML_ASSIGN_OR_RETURN(c.ready_log_line, GetString(cj, "ready_log_line"));
    S3ML_ASSIGN_OR_RETURN(c.port, GetPort(cj, "port"));
    S3ML_ASSIGN_OR_RETURN(c.metrics_port, GetPort(cj, "metrics_port"));
    S3ML_ASSIGN_OR_RETURN(c.agent_port, GetPort(cj, "agent_port"));
    S3ML_ASSIGN_OR_RETURN(c.epc_host, GetOptionalString(cj, "epc_host"));
    if (c.name.empty() || c.argv.empty()) return InvalidArgument("cluster record: component without name or argv");
    r.components.push_back(std::move(c));
  }
  if (j.contains("hosts")) {
    if (!j["hosts"].is_array()) return InvalidArgument("cluster record: 'hosts' must be an array");
    for (const auto& hj : j["hosts"]) {
      if (!hj.is_object()) return InvalidArgument("cluster record: a host is not an object");
      EmulatedHostRecord h;
      S3ML_ASSIGN_OR_RETURN(h.name, GetString(hj, "name"));
      S3ML_ASSIGN_OR_RETURN(h.exporter, GetString(hj, "exporter"));
      if (!hj.contains("capacity_mib") || !hj["capacity_mib"].is_number() || !(hj["capacity_mib"].get<double>() > 0))
        return InvalidArgument("cluster record: a host's 'capacity_mib' must be a positive number");
      h.capacity_mib = hj["capacity_mib"].get<double>();
      if (h.name.empty()) return InvalidArgument("cluster record: a host without a name");
      r.hosts.push_back(std::move(h));
    }
  }
  for (const auto& c : r.components) {
    if (c.epc_host.empty()) continue;
    bool known = false;
    for (const auto& h : r.hosts) known = known || h.name == c.epc_host;
    if (!known) return InvalidArgument("cluster record: component " + c.name + " is on unknown host " + c.epc_host);
  }
  return r;
}

Status SaveClusterRecord(const ClusterLayout& layout, const ClusterRecord& record) {
  const std::string text = SerializeClusterRecord(record);
  return WriteFileAtomic(layout.record(), std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0644);
}

Result<ClusterRecord> LoadClusterRecord(const ClusterLayout& layout) {
  std::error_code ec;
  if (!std::filesystem::exists(layout.record(), ec))
    return NotFound("no cluster in " + layout.root + " (no cluster.json; run `s3ml up` first)");
  S3ML_ASSIGN_OR_RETURN(std::string text, ReadFileText(layout.record(), 4u << 20));
  auto record = ParseClusterRecord(text);
  if (!record.ok()) return record.status().WithContext(layout.record());
  return record;
}

}  // namespace s3ml::cluster
