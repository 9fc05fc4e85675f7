// `s3ml down`: stops everything `s3ml up` started in a state directory, by its pid files
// (cluster/process_supervisor.h): the autoscaler first (it would start servers), HAProxy (no new
// connections), then the model servers (SIGTERM: they drain and finish in-flight requests), the ECS
// and the quoting daemon. The state (keys, sealed ECS state, repository) stays, so a later
// `s3ml up` continues with the same root CA.
// The simulated EPC segments of emulated hosts (`s3ml up --hosts K`, in /dev/shm) are removed
// once their servers and exporters are stopped: they hold nothing worth keeping.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "apps/s3ml/cluster_flags.h"
#include "apps/s3ml/command.h"
#include "cluster/cluster_state.h"
#include "cluster/process_supervisor.h"
#include "tee/epc/epc_host.h"

namespace {

using namespace s3ml;

// haproxy, then servers, then anything else, the ECS and the quoting daemon last.
int StopOrder(const std::string& name) {
  if (name == "haproxy") return 0;
  if (name.rfind("server", 0) == 0) return 1;
  if (name == "ecs") return 3;
  if (name == "qe") return 4;
  return 2;
}

void Down(const std::string& flag_dir, int grace_seconds) {
  const std::string dir = cli::ResolveStateDir(flag_dir);
  cluster::ProcessSupervisor supervisor(dir);
  std::string failures;
  // The autoscaler first, and before the list is taken: a server it starts meanwhile is listed too.
  const auto autoscaler = supervisor.Inspect("autoscaler");
  if (Status s = supervisor.Stop("autoscaler", std::chrono::seconds(grace_seconds)); !s.ok())
    failures += "\n  autoscaler: " + s.ToString();
  else if (autoscaler.alive)
    std::printf("stopped %-10s (pid %d)\n", "autoscaler", static_cast<int>(autoscaler.pid));
  std::vector<std::string> names = supervisor.Tracked();
  std::stable_sort(names.begin(), names.end(),
                   [](const std::string& a, const std::string& b) { return StopOrder(a) < StopOrder(b); });
  // After the processes (below): a segment whose servers are gone serves nobody.
  auto remove_segments = [&] {
    auto record = cluster::LoadClusterRecord(cluster::ClusterLayout(dir));
    if (!record.ok()) return;
    for (const auto& h : record->hosts) {
      Status s = tee::epc::EpcHost::Remove(h.name);
      if (s.ok())
        std::printf("removed EPC host %s\n", h.name.c_str());
      else if (s.code() != StatusCode::kNotFound)
        failures += "\n  EPC host " + h.name + ": " + s.ToString();
    }
  };
  if (names.empty() && failures.empty()) {
    if (!autoscaler.alive) std::printf("nothing running in %s\n", dir.c_str());
    remove_segments();
    if (!failures.empty()) throw cli::CommandFailed(1, "some EPC hosts could not be removed:" + failures);
    return;
  }
  for (const auto& name : names) {
    const auto before = supervisor.Inspect(name);
    Status s = supervisor.Stop(name, std::chrono::seconds(grace_seconds));
    if (!s.ok()) {
      failures += "\n  " + name + ": " + s.ToString();
      continue;
    }
    if (before.alive)
      std::printf("stopped %-10s (pid %d)\n", name.c_str(), static_cast<int>(before.pid));
    else
      std::printf("%-18s was not running\n", name.c_str());
  }
  remove_segments();
  if (!failures.empty()) throw cli::CommandFailed(1, "some processes or EPC hosts could not be stopped:" + failures);
}

void Setup(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  auto grace = std::make_shared<int>(10);
  auto* cmd = app.add_subcommand("down", "Stop the local cluster started by `s3ml up` (keeps its state)");
  cli::AddStateDirFlag(cmd, dir.get());
  cmd->add_option("--grace", *grace, "Seconds each process may take after SIGTERM before SIGKILL (default 10)");
  cmd->callback([dir, grace] { Down(*dir, *grace); });
}

const cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
