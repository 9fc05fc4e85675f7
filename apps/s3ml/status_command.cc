// `s3ml status`: the local cluster's processes (pid, alive, ports) from its pid files and
// cluster.json, and HAProxy's own view of the servers (runtime API `show servers state`).
// With emulated hosts (`s3ml up --hosts K`), per host: EPC capacity and resident size, the host's
// paging rate (EWB + ELDU per second over two snapshots 200 ms apart, cluster/paging_rate.h) and
// its servers with their current HAProxy weight (which their agents set from that rate).
// Exit status 0 when every component is alive and HAProxy sees every server up, 3 otherwise.
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "apps/s3ml/cluster_flags.h"
#include "apps/s3ml/command.h"
#include "cluster/cluster_state.h"
#include "cluster/haproxy_runtime.h"
#include "cluster/paging_rate.h"
#include "core/clock.h"
#include "tee/epc/host_segment.h"
#include "tee/epc/host_snapshot.h"
#include "cluster/process_supervisor.h"

namespace {

using namespace s3ml;

std::string Ports(const cluster::ComponentRecord& c) {
  if (c.kind == "server")
    return std::to_string(c.port) + " (metrics " + std::to_string(c.metrics_port) + ", agent " +
           std::to_string(c.agent_port) + ")";
  return c.port == 0 ? "-" : std::to_string(c.port);
}

double Mib(uint64_t pages) { return static_cast<double>(pages * tee::epc::kEpcPageSize) / (1024.0 * 1024.0); }

// One line per emulated host; returns false if a host's EPC cannot be read.
bool PrintHosts(const cluster::ClusterRecord& record, const std::map<std::string, int>& weights) {
  if (record.hosts.empty()) return true;
  constexpr auto kInterval = std::chrono::milliseconds(200);
  std::map<std::string, Result<tee::epc::HostSnapshot>> first;
  for (const auto& h : record.hosts) first.emplace(h.name, tee::epc::ReadHostSnapshot(h.name));
  const uint64_t t0 = MonotonicNanos();
  std::this_thread::sleep_for(kInterval);
  bool ok = true;
  std::printf("\nEmulated SGX hosts (simulated EPC; paging = EWB + ELDU over %lld ms):\n",
              static_cast<long long>(kInterval.count()));
  std::printf("  %-18s %10s %10s %14s  %s\n", "HOST", "CAPACITY", "RESIDENT", "PAGING", "SERVERS (HAProxy weight)");
  for (const auto& h : record.hosts) {
    auto later = tee::epc::ReadHostSnapshot(h.name);
    const uint64_t t1 = MonotonicNanos();
    const auto& before = first.at(h.name);
    std::string servers;
    for (const auto* s : record.ServersOn(h.name)) {
      const auto w = weights.find(s->name);
      servers += " " + s->name + " (" + (w == weights.end() ? std::string("-") : std::to_string(w->second)) + ")";
    }
    if (!before.ok() || !later.ok()) {
      ok = false;
      std::printf("  %-18s unreadable: %s;%s\n", h.name.c_str(),
                  (before.ok() ? later.status() : before.status()).ToString().c_str(), servers.c_str());
      continue;
    }
    auto rates = cluster::ComputePagingRates(cluster::PagingSampleFromSnapshot(*before, t0),
                                             cluster::PagingSampleFromSnapshot(*later, t1));
    char paging[32] = "-";
    if (rates.ok()) std::snprintf(paging, sizeof(paging), "%.0f pages/s", rates->host.total_per_second());
    char capacity[32], resident[32];
    std::snprintf(capacity, sizeof(capacity), "%.1f MiB", Mib(later->capacity_pages));
    std::snprintf(resident, sizeof(resident), "%.1f MiB", Mib(later->resident_pages));
    std::printf("  %-18s %10s %10s %14s %s\n", h.name.c_str(), capacity, resident, paging, servers.c_str());
  }
  return ok;
}

void Status(const std::string& flag_dir) {
  const std::string dir = cli::ResolveStateDir(flag_dir);
  cluster::ClusterLayout layout(dir);
  auto record = cluster::LoadClusterRecord(layout);
  cli::CheckOk(record.status(), "s3ml status");
  cluster::ProcessSupervisor supervisor(dir);
  bool healthy = true;
  std::printf("cluster in %s (logs in %s)\nservice %s   ECS %s   root CA %s\n\n", dir.c_str(), layout.logs().c_str(),
              record->service_url().c_str(), record->ecs_url().c_str(), layout.root_ca().c_str());
  std::printf("%-10s %-8s %-7s %s\n", "COMPONENT", "PID", "ALIVE", "PORT");
  for (const auto& c : record->components) {
    const auto s = supervisor.Inspect(c.name);
    healthy = healthy && s.alive;
    std::printf("%-10s %-8s %-7s %s\n", c.name.c_str(), s.pid == 0 ? "-" : std::to_string(s.pid).c_str(),
                s.alive ? "yes" : "NO", Ports(c).c_str());
  }

  std::printf("\nHAProxy backend %s:\n", record->backend.c_str());
  cluster::HaproxyRuntime runtime(layout.haproxy_socket());
  auto states = runtime.ServersState(record->backend);
  std::map<std::string, int> weights;
  if (states.ok())
    for (const auto& s : *states) weights[s.name] = s.weight;
  if (!states.ok()) {
    healthy = false;
    std::printf("  unavailable: %s\n", states.status().ToString().c_str());
  } else {
    if (states->empty()) std::printf("  (no servers)\n");
    for (const auto& s : *states) {
      std::printf("  %-10s %s:%u  %-6s weight %d\n", s.name.c_str(), s.address.c_str(), s.port, s.Describe().c_str(),
                  s.weight);
      healthy = healthy && s.up() && !s.in_maintenance();
    }
  }
  healthy = PrintHosts(*record, weights) && healthy;
  std::fflush(stdout);
  if (!healthy) throw cli::CommandFailed(3, "cluster is not fully up");
}

void Setup(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("status", "Show the local cluster's processes and HAProxy's view of the servers");
  cli::AddStateDirFlag(cmd, dir.get());
  cmd->callback([dir] { Status(*dir); });
}

const cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
