// `s3ml autoscale --state-dir D`: the local cluster's autoscaler, a long-running component that
// `s3ml up --hosts K --autoscale epc|cpu` starts (and `s3ml down` stops first).
//
// Every period it observes each emulated host (scraping its s3ml-epcd: paging counters, resident
// and capacity bytes) and each server (CPU time from /proc), computes per-host paging rates and
// per-server CPU use over the period, asks cluster/autoscaler.h for a plan and applies it:
//  - a new server is a clone of a running one (cluster/server_template.h) on fresh ports and the
//    chosen host, recorded in cluster.json before it starts (so `s3ml down` finds it), started
//    under the process supervisor, and added to HAProxy through the runtime API once it listens
//    (it provisions from the ECS by attestation like every server; a refusal is logged);
//  - a removed server is set to drain in HAProxy (no new connections), given --drain-seconds for
//    clients to move away, deleted from HAProxy, stopped (SIGTERM: it finishes in-flight requests)
//    and dropped from the record.
// A period whose observations are incomplete (an exporter did not answer, the first period) is
// skipped, as an HPA skips a period without metrics. One log line per period (its stdout is the
// component's log).
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "apps/s3ml/cluster_flags.h"
#include "apps/s3ml/command.h"
#include "cluster/autoscaler.h"
#include "cluster/cluster_state.h"
#include "cluster/haproxy_runtime.h"
#include "cluster/paging_rate.h"
#include "cluster/port_plan.h"
#include "cluster/process_supervisor.h"
#include "cluster/prometheus_text.h"
#include "cluster/server_template.h"
#include "core/clock.h"
#include "net/http_client.h"

namespace {

using namespace s3ml;
using namespace std::chrono_literals;

volatile std::sig_atomic_t g_stop = 0;
void OnStopSignal(int) { g_stop = 1; }

struct AutoscaleOptions {
  std::string state_dir;
  std::string metric = "epc";
  int min_servers = 1;
  int max_servers = 6;
  // 0: 500 pages/s (epc: between the servers' default low and critical thresholds; one host past
  // the cliff among a few servers lifts the mean over it) or 50% of a core (cpu).
  double target = 0;
  double period_seconds = 15;
  double tolerance = 0.1;
  int scale_up_window_seconds = 0;
  int scale_down_window_seconds = 300;
  double drain_seconds = 2;
  int boot_timeout_seconds = 60;
};

struct HostSample {
  cluster::PagingSample paging;
  double resident_fraction = 0;
};

struct CpuSample {
  uint64_t monotonic_nanos = 0;
  double cpu_seconds = 0;
};

// One scrape of a host's exporter.
Result<HostSample> ScrapeHost(const std::string& address, uint16_t port, const std::string& host) {
  net::HttpClientOptions options;
  options.connect_timeout = 1000ms;
  options.request_timeout = 2000ms;
  options.max_response_body_bytes = 4 << 20;
  net::HttpClient client(address, port, options);
  S3ML_ASSIGN_OR_RETURN(net::HttpResponse response, client.Get("/metrics"));
  if (response.status != 200) return Unavailable("exporter answered HTTP " + std::to_string(response.status));
  const std::map<std::string, std::string> labels = {{"host", host}};
  HostSample sample;
  sample.paging.monotonic_nanos = MonotonicNanos();
  S3ML_ASSIGN_OR_RETURN(double evicted, cluster::FindPrometheusSample(response.body, "s3ml_epc_pages_evicted_total", labels));
  S3ML_ASSIGN_OR_RETURN(double loaded, cluster::FindPrometheusSample(response.body, "s3ml_epc_pages_loaded_total", labels));
  S3ML_ASSIGN_OR_RETURN(double capacity, cluster::FindPrometheusSample(response.body, "s3ml_epc_capacity_bytes", labels));
  S3ML_ASSIGN_OR_RETURN(double resident, cluster::FindPrometheusSample(response.body, "s3ml_epc_resident_bytes", labels));
  if (!(evicted >= 0 && loaded >= 0 && evicted < 1.8e19 && loaded < 1.8e19))
    return InvalidArgument("exporter sent invalid page counters");
  sample.paging.host = {static_cast<uint64_t>(evicted), static_cast<uint64_t>(loaded)};
  sample.resident_fraction = capacity > 0 && resident >= 0 ? resident / capacity : 0;
  return sample;
}

class AutoscalerLoop {
 public:
  AutoscalerLoop(const AutoscaleOptions& o, cluster::ClusterLayout layout, cluster::Autoscaler autoscaler)
      : o_(o),
        layout_(std::move(layout)),
        supervisor_(layout_.root),
        runtime_(layout_.haproxy_socket()),
        autoscaler_(std::move(autoscaler)) {}

  void Run() {
    const auto period = std::chrono::nanoseconds(static_cast<int64_t>(o_.period_seconds * 1e9));
    auto next = std::chrono::steady_clock::now();
    while (g_stop == 0) {
      next += period;
      while (g_stop == 0 && std::chrono::steady_clock::now() < next) std::this_thread::sleep_for(50ms);
      if (g_stop != 0) break;
      Status s = Period();
      if (!s.ok()) Log("period skipped: " + s.ToString());
      // A long period (a server booting) must not make the next ones fire back to back.
      next = std::max(next, std::chrono::steady_clock::now());
    }
    Log("stopping");
  }

 private:
  Status Period() {
    S3ML_ASSIGN_OR_RETURN(cluster::ClusterRecord record, cluster::LoadClusterRecord(layout_));
    const uint64_t now = MonotonicNanos();
    bool complete = true;
    std::vector<cluster::HostObservation> hosts;
    std::string host_text;
    for (const auto& h : record.hosts) {
      const cluster::ComponentRecord* exporter = record.Find(h.exporter);
      if (exporter == nullptr) return FailedPrecondition("host " + h.name + " has no exporter in the record");
      auto sample = ScrapeHost(record.host, exporter->port, h.name);
      if (!sample.ok()) return sample.status().WithContext("scrape " + h.exporter);
      auto previous = host_samples_.find(h.name);
      if (previous != host_samples_.end()) {
        S3ML_ASSIGN_OR_RETURN(auto rates, cluster::ComputePagingRates(previous->second.paging, sample->paging));
        hosts.push_back({h.name, rates.host.total_per_second(), sample->resident_fraction});
        char text[96];
        std::snprintf(text, sizeof(text), " %s=%.0f/%.2f", h.name.c_str(), hosts.back().paging_pages_per_second,
                      sample->resident_fraction);
        host_text += text;
      } else {
        complete = false;
      }
      host_samples_[h.name] = *sample;
    }
    std::vector<cluster::ServerObservation> servers;
    std::map<std::string, CpuSample> cpu;
    for (const auto* s : record.Servers()) {
      const cluster::ProcessStatus status = supervisor_.Inspect(s->name);
      if (!status.alive) continue;  // gone: not a replica (HAProxy's checks keep it out)
      auto seconds = cluster::ProcessCpuSeconds(status.pid);
      if (!seconds.ok()) continue;
      cpu[s->name] = {now, *seconds};
      auto previous = cpu_samples_.find(s->name);
      if (previous == cpu_samples_.end()) {
        complete = complete && o_.metric != "cpu";  // a fresh server has no CPU rate yet
        if (o_.metric == "cpu") continue;
        servers.push_back({s->name, s->epc_host, 0});
        continue;
      }
      const double dt = static_cast<double>(now - previous->second.monotonic_nanos) / 1e9;
      const double used = std::max(0.0, *seconds - previous->second.cpu_seconds);
      servers.push_back({s->name, s->epc_host, dt > 0 ? 100.0 * used / dt : 0});
    }
    cpu_samples_ = std::move(cpu);
    if (!complete) return FailedPrecondition("first observation of a host or server (no rate yet)");

    S3ML_ASSIGN_OR_RETURN(cluster::ScalingPlan plan,
                          autoscaler_.Plan(static_cast<int64_t>(now / 1'000'000), hosts, servers));
    char line[256];
    std::snprintf(line, sizeof(line), "metric %s=%.1f replicas=%zu desired=%d (%s) hosts(paging/resident):",
                  o_.metric.c_str(), plan.metric_per_replica, servers.size(), plan.decision.desired_replicas,
                  plan.decision.reason.c_str());
    Log(line + host_text);
    if (!plan.add_on_hosts.empty()) AddServers(record, plan.add_on_hosts);
    for (const auto& name : plan.remove) RemoveServer(record, name);
    return Status::Ok();
  }

  void AddServers(cluster::ClusterRecord& record, const std::vector<std::string>& on_hosts) {
    const auto existing = record.Servers();
    if (existing.empty()) {
      Log("cannot scale up: no server to clone");
      return;
    }
    const cluster::ComponentRecord server_template = *existing.front();
    int next_number = 0;
    for (const auto* s : existing) {
      const std::string& n = s->name;
      if (n.rfind("server-", 0) == 0) next_number = std::max(next_number, std::atoi(n.c_str() + 7));
    }
    std::vector<cluster::ComponentRecord> started;
    for (const std::string& host : on_hosts) {
      auto ports = cluster::ReservePorts(record.host, 0, 3);
      if (!ports.ok()) {
        Log("cannot scale up: " + ports.status().ToString());
        break;
      }
      cluster::ServerSlot slot{"server-" + std::to_string(++next_number), record.host, (*ports)[0], (*ports)[1],
                               (*ports)[2], host};
      auto component = cluster::CloneServerComponent(server_template, slot);
      if (!component.ok()) {
        Log("cannot scale up: " + component.status().ToString());
        break;
      }
      record.components.push_back(*component);  // recorded first, so `s3ml down` always finds it
      if (Status s = cluster::SaveClusterRecord(layout_, record); !s.ok()) {
        record.components.pop_back();
        Log("cannot scale up: " + s.ToString());
        break;
      }
      auto pid = supervisor_.Start({component->name, component->argv, component->env});
      if (!pid.ok()) {
        Log("start " + component->name + " failed: " + pid.status().ToString());
        Forget(record, component->name);
        continue;
      }
      Log("starting " + component->name + " on host " + host);
      started.push_back(*component);
    }
    for (const auto& c : started) {
      Status ready = supervisor_.WaitForLogLine(c.name, c.ready_log_line, std::chrono::seconds(o_.boot_timeout_seconds));
      if (ready.ok())
        ready = runtime_.AddServer(record.backend, {c.name, record.host, c.port, c.agent_port}, Checks(record));
      if (!ready.ok()) {
        Log(c.name + " did not join: " + ready.ToString());
        (void)supervisor_.Stop(c.name, 3s);
        Forget(record, c.name);
        continue;
      }
      Log("added " + c.name + " to HAProxy");
    }
  }

  static cluster::ServerCheckOptions Checks(const cluster::ClusterRecord& record) {
    cluster::ServerCheckOptions checks;
    checks.agent_interval_ms = record.agent_interval_ms;
    return checks;
  }

  void RemoveServer(cluster::ClusterRecord& record, const std::string& name) {
    if (Status s = runtime_.SetServerState(record.backend, name, cluster::ServerAdminState::kDrain); !s.ok())
      Log("drain " + name + " in HAProxy: " + s.ToString());
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(o_.drain_seconds * 1000)));
    if (Status s = runtime_.RemoveServer(record.backend, name, 10s); !s.ok())
      Log("remove " + name + " from HAProxy: " + s.ToString());
    if (Status s = supervisor_.Stop(name, 10s); !s.ok()) {
      Log("stop " + name + ": " + s.ToString() + " (kept in the record)");
      return;
    }
    Forget(record, name);
    Log("removed " + name);
  }

  void Forget(cluster::ClusterRecord& record, const std::string& name) {
    std::erase_if(record.components, [&](const cluster::ComponentRecord& c) { return c.name == name; });
    if (Status s = cluster::SaveClusterRecord(layout_, record); !s.ok()) Log("save record: " + s.ToString());
  }

  void Log(const std::string& text) const {
    std::printf("autoscaler t=%.1fs %s\n", static_cast<double>(MonotonicNanos() - start_) / 1e9, text.c_str());
    std::fflush(stdout);
  }

  AutoscaleOptions o_;
  cluster::ClusterLayout layout_;
  cluster::ProcessSupervisor supervisor_;
  cluster::HaproxyRuntime runtime_;
  cluster::Autoscaler autoscaler_;
  std::map<std::string, HostSample> host_samples_;
  std::map<std::string, CpuSample> cpu_samples_;
  uint64_t start_ = MonotonicNanos();
};

void Autoscale(const AutoscaleOptions& o) {
  const auto metric = cli::ValueOrFail(cluster::ParseScalingMetric(o.metric), "--metric");
  if (!(o.period_seconds >= 0.2 && o.period_seconds <= 3600)) throw cli::CommandFailed(2, "--period-seconds must be in 0.2..3600");
  if (!(o.drain_seconds >= 0 && o.drain_seconds <= 600)) throw cli::CommandFailed(2, "--drain-seconds must be in 0..600");
  cluster::HpaConfig config;
  config.min_replicas = o.min_servers;
  config.max_replicas = o.max_servers;
  config.target_per_replica = o.target > 0 ? o.target : (metric == cluster::ScalingMetric::kCpu ? 50.0 : 500.0);
  config.tolerance = o.tolerance;
  config.scale_up.stabilization_window_seconds = o.scale_up_window_seconds;
  config.scale_down.stabilization_window_seconds = o.scale_down_window_seconds;
  auto autoscaler = cli::ValueOrFail(cluster::Autoscaler::Create(metric, config), "autoscaler configuration");

  cluster::ClusterLayout layout(cli::ResolveStateDir(o.state_dir));
  auto record = cli::ValueOrFail(cluster::LoadClusterRecord(layout), "cluster");
  if (record.hosts.empty())
    throw cli::CommandFailed(1, "the cluster in " + layout.root + " has no emulated hosts (start it with --hosts K)");

  struct sigaction action {};
  action.sa_handler = &OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  std::printf("autoscaler running: metric %s, target %.1f %s per replica, %d..%d servers, period %.1f s, "
              "scale-down window %d s\n",
              o.metric.c_str(), config.target_per_replica, metric == cluster::ScalingMetric::kCpu ? "% CPU" : "pages/s",
              o.min_servers, o.max_servers, o.period_seconds, o.scale_down_window_seconds);
  std::fflush(stdout);
  AutoscalerLoop(o, std::move(layout), std::move(autoscaler)).Run();
}

void Setup(CLI::App& app) {
  auto o = std::make_shared<AutoscaleOptions>();
  auto* cmd = app.add_subcommand("autoscale",
                                 "Run the autoscaler of a local cluster with emulated hosts (started by `s3ml up --autoscale`)");
  cli::AddStateDirFlag(cmd, &o->state_dir);
  cmd->add_option("--metric", o->metric, "epc (host EPC paging rate per replica) | cpu (CPU use per replica, percent of a core)");
  cmd->add_option("--min", o->min_servers, "Fewest servers (default 1)");
  cmd->add_option("--max", o->max_servers, "Most servers (default 6)");
  cmd->add_option("--target", o->target, "Target per replica: pages/s (epc, default 500) or percent of a core (cpu, default 50)");
  cmd->add_option("--period-seconds", o->period_seconds, "Sync period (default 15, as Kubernetes)");
  cmd->add_option("--tolerance", o->tolerance, "No change while |1 - metric/target| <= this (default 0.1)");
  cmd->add_option("--scale-up-window", o->scale_up_window_seconds, "Scale-up stabilisation window, s (default 0)");
  cmd->add_option("--scale-down-window", o->scale_down_window_seconds, "Scale-down stabilisation window, s (default 300)");
  cmd->add_option("--drain-seconds", o->drain_seconds, "Drain time in HAProxy before a removed server stops (default 2)");
  cmd->add_option("--boot-timeout", o->boot_timeout_seconds, "Seconds a new server may take to listen (default 60)");
  cmd->callback([o] { Autoscale(*o); });
}

const cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
