#include "cluster/autoscaler.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace s3ml::cluster {
namespace {

// "server-<n>" -> n, anything else -> -1.
long long ServerNumber(const std::string& name) {
  constexpr std::string_view kPrefix = "server-";
  if (name.rfind(kPrefix, 0) != 0 || name.size() == kPrefix.size() || name.size() > kPrefix.size() + 9) return -1;
  long long n = 0;
  for (size_t i = kPrefix.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    n = n * 10 + (name[i] - '0');
  }
  return n;
}

bool Valid(double v) { return std::isfinite(v) && v >= 0; }

}  // namespace

Result<ScalingMetric> ParseScalingMetric(std::string_view name) {
  if (name == "epc") return ScalingMetric::kEpcPaging;
  if (name == "cpu") return ScalingMetric::kCpu;
  return InvalidArgument("scaling metric must be epc or cpu, not \"" + std::string(name) + "\"");
}

std::string_view ScalingMetricName(ScalingMetric metric) { return metric == ScalingMetric::kCpu ? "cpu" : "epc"; }

bool ServerNameLess(const std::string& a, const std::string& b) {
  const long long na = ServerNumber(a), nb = ServerNumber(b);
  if (na >= 0 && nb >= 0) return na < nb;
  if ((na >= 0) != (nb >= 0)) return na >= 0;
  return a < b;
}

Result<Autoscaler> Autoscaler::Create(ScalingMetric metric, HpaConfig config) {
  S3ML_ASSIGN_OR_RETURN(HpaController hpa, HpaController::Create(std::move(config)));
  return Autoscaler(metric, std::move(hpa));
}

Result<ScalingPlan> Autoscaler::Plan(int64_t now_millis, const std::vector<HostObservation>& hosts,
                                     const std::vector<ServerObservation>& servers) {
  std::map<std::string, HostPressure> pressure;
  for (const HostObservation& h : hosts) {
    if (!Valid(h.paging_pages_per_second) || !Valid(h.resident_fraction))
      return InvalidArgument("host " + h.name + ": paging rate and resident fraction must be finite and >= 0");
    HostPressure p;
    p.host = h.name;
    // CPU mode: the scheduler sees no EPC figures, so only the server count (then the name) decides.
    if (metric_ == ScalingMetric::kEpcPaging) {
      p.paging_pages_per_second = h.paging_pages_per_second;
      p.resident_fraction = h.resident_fraction;
    }
    pressure[h.name] = p;
  }
  double sum = 0;
  for (const ServerObservation& s : servers) {
    auto it = pressure.find(s.host);
    if (it == pressure.end()) return FailedPrecondition("no observation of host \"" + s.host + "\" of " + s.name);
    if (!Valid(s.cpu_percent)) return InvalidArgument(s.name + ": CPU use must be finite and >= 0");
    it->second.servers += 1;
    sum += metric_ == ScalingMetric::kCpu ? s.cpu_percent : it->second.paging_pages_per_second;
  }
  ScalingPlan plan;
  const auto current = static_cast<int32_t>(servers.size());
  plan.metric_per_replica = servers.empty() ? 0 : sum / static_cast<double>(servers.size());
  S3ML_ASSIGN_OR_RETURN(plan.decision, hpa_.Decide(now_millis, current, plan.metric_per_replica));

  std::vector<HostPressure> table;
  double resident_sum = 0;
  for (const auto& [name, p] : pressure) {
    table.push_back(p);
    resident_sum += p.resident_fraction;
  }
  const double fraction_per_server = servers.empty() ? 0 : resident_sum / static_cast<double>(servers.size());
  for (int32_t n = current; n < plan.decision.desired_replicas; ++n) {
    S3ML_ASSIGN_OR_RETURN(std::string host, PickHostForNewServer(table));
    plan.add_on_hosts.push_back(host);
    for (HostPressure& p : table) {
      if (p.host != host) continue;
      p.servers += 1;
      p.resident_fraction += fraction_per_server;
    }
  }
  std::vector<ServerObservation> remaining = servers;
  for (int32_t n = current; n > plan.decision.desired_replicas; --n) {
    S3ML_ASSIGN_OR_RETURN(std::string host, PickHostForRemoval(table));
    auto newest = remaining.end();
    for (auto it = remaining.begin(); it != remaining.end(); ++it) {
      if (it->host == host && (newest == remaining.end() || ServerNameLess(newest->name, it->name))) newest = it;
    }
    if (newest == remaining.end()) return Internal("no server on host " + host + " to remove");
    plan.remove.push_back(newest->name);
    remaining.erase(newest);
    for (HostPressure& p : table)
      if (p.host == host) p.servers -= 1;
  }
  return plan;
}

}  // namespace s3ml::cluster
