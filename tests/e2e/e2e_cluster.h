// The cluster an end-to-end test runs against: `s3ml up --base-port 0` in a temporary state
// directory (so it never collides with a user's cluster or another test), `s3ml down` and removal
// at the end, or, if the test process is killed first (CTest's timeout), by an OrphanGuard. Also
// small process helpers: run a command and capture its output, run curl.
#ifndef S3ML_TESTS_E2E_E2E_CLUSTER_H_
#define S3ML_TESTS_E2E_E2E_CLUSTER_H_

#include <memory>
#include <string>
#include <vector>

#include "cluster/cluster_state.h"
#include "cluster/haproxy_runtime.h"
#include "cluster/process_supervisor.h"
#include "core/status.h"
#include "tests/e2e/orphan_guard.h"

namespace s3ml::e2e {

struct CommandResult {
  int exit_code = -1;   // -1 when killed by a signal or not started
  std::string output;   // stdout and stderr together
};
// Runs argv (no shell), bounded by timeout_seconds (then SIGKILL): cluster::RunProgram.
CommandResult RunCommand(const std::vector<std::string>& argv, int timeout_seconds = 60);
// RunCommand for a program that starts daemons (`s3ml up`, the demo): it runs in a process group
// of its own, whose id it first writes to `pgid_file`, so that an OrphanGuard can kill the whole
// group (`kill -- -PGID`) before it stops a cluster the program may still be starting.
CommandResult RunCommandInOwnGroup(const std::vector<std::string>& argv, const std::string& pgid_file,
                                   int timeout_seconds = 60);

std::string BinDir();       // <build>/bin
std::string TestdataDir();  // testdata/models/coral
// The first of s3ml, s3ml-ecs, s3ml-server, haproxy, curl that is missing, or "" if none.
std::string MissingPrerequisite();

class E2eCluster {
 public:
  // Runs `s3ml up` (plus extra_args); kUnavailable with its output when it fails.
  static Result<std::unique_ptr<E2eCluster>> Start(int servers, const std::vector<std::string>& extra_args = {});
  // Runs `s3ml down` now (the destructor runs it again, which is harmless).
  CommandResult Down();
  ~E2eCluster();  // s3ml down, remove the state directory

  const std::string& dir() const { return dir_; }
  const cluster::ClusterLayout& layout() const { return layout_; }
  const cluster::ClusterRecord& record() const { return record_; }
  cluster::ProcessSupervisor& supervisor() { return supervisor_; }
  cluster::HaproxyRuntime& haproxy() { return haproxy_; }
  std::string service_url() const;  // https://localhost:<service port> (the certificate's SAN)
  std::string root_ca() const { return layout_.root_ca(); }
  const std::string& up_output() const { return up_output_; }

  // curl --cacert <root> against the service; returns the HTTP code and writes the body.
  int Curl(const std::string& method, const std::string& path, const std::string& body_file, std::string* body) const;

 private:
  E2eCluster(std::string dir, cluster::ClusterRecord record, OrphanGuard guard);
  std::string dir_;
  OrphanGuard guard_;
  cluster::ClusterLayout layout_;
  cluster::ClusterRecord record_;
  cluster::ProcessSupervisor supervisor_;
  cluster::HaproxyRuntime haproxy_;
  std::string up_output_;
};

}  // namespace s3ml::e2e

#endif  // S3ML_TESTS_E2E_E2E_CLUSTER_H_
