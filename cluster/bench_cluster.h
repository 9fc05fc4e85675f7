// Local clusters and noisy neighbours for the benchmarks (`s3ml bench epc-slo`, `s3ml bench slo`).
//
// BenchCluster runs the real CLI as a subprocess: `<s3ml> up --state-dir D --base-port 0 ...`
// (so the benchmark measures what users run, and a crashed benchmark leaves a cluster that
// `s3ml down --state-dir D` stops), then loads D/cluster.json. Stop() runs `<s3ml> down`; the
// destructor does it if Stop() was not called. NoiseProcess is `<s3ml> sim noise` on an emulated
// host, started by the cluster's process supervisor (its pid file in D/run, so `s3ml down` stops
// it too) and ready once it has attached and allocated its memory.
#ifndef S3ML_CLUSTER_BENCH_CLUSTER_H_
#define S3ML_CLUSTER_BENCH_CLUSTER_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cluster/cluster_state.h"
#include "core/status.h"

namespace s3ml::cluster {

struct ProgramRun {
  int exit_code = -1;     // -1 when killed by a signal (or by the timeout)
  bool timed_out = false;
  std::string output;     // stdout and stderr, interleaved, at most the last 64 KiB
};

// Runs argv (argv[0] an executable path; no shell) with stdin /dev/null and waits for it, killing
// it after `timeout`. Ok with its exit code; an error only when it cannot be started.
Result<ProgramRun> RunProgram(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

struct BenchClusterOptions {
  std::string s3ml;                 // the s3ml executable; "" = `s3ml` beside the running program
  std::string state_dir;            // required; created if missing
  int servers = 1;
  int hosts = 1;                    // emulated SGX hosts (0: no simulated EPC)
  double epc_mib = 93.5;            // capacity of each host
  std::string models_dir;           // "" = `s3ml up`'s default model
  std::vector<std::string> extra_flags;  // appended to `s3ml up` (e.g. --epc-low 500)
  std::chrono::seconds up_timeout{240};
  std::chrono::seconds down_timeout{60};
};

// The `s3ml up` command line for the options (argv[0] resolved).
Result<std::vector<std::string>> BenchClusterUpArgv(const BenchClusterOptions& options);

class BenchCluster {
 public:
  // Runs `s3ml up`; kUnavailable with the end of its output when it fails (it stops what it
  // started itself), InvalidArgument for bad options.
  static Result<std::unique_ptr<BenchCluster>> Start(const BenchClusterOptions& options);
  ~BenchCluster();
  BenchCluster(const BenchCluster&) = delete;
  BenchCluster& operator=(const BenchCluster&) = delete;

  // Runs `s3ml down` (once; later calls are ok and do nothing).
  Status Stop();

  const ClusterRecord& record() const { return record_; }
  const ClusterLayout& layout() const { return layout_; }
  const std::string& s3ml() const { return s3ml_; }
  // "https://<record host>:<port>" of a server, kNotFound for an unknown name.
  Result<std::string> ServerUrl(const std::string& server_name) const;
  // The root CA the servers' certificates chain to (PEM).
  Result<std::string> RootCaPem() const;

 private:
  BenchCluster(std::string s3ml, ClusterLayout layout, ClusterRecord record, std::chrono::seconds down_timeout)
      : s3ml_(std::move(s3ml)), layout_(std::move(layout)), record_(std::move(record)), down_timeout_(down_timeout) {}

  std::string s3ml_;
  ClusterLayout layout_;
  ClusterRecord record_;
  std::chrono::seconds down_timeout_;
  bool stopped_ = false;
};

struct NoiseOptions {
  std::string s3ml;           // "" = `s3ml` beside the running program
  std::string state_dir;      // the cluster's: the supervisor's pid and log files go there
  std::string name = "noise";  // supervisor name ([A-Za-z0-9._-])
  std::string host;           // emulated EPC host id
  double mib = 0;             // > 0 (at least one 4 KiB page)
  double pages_per_second = 0;  // 0 = touch as fast as possible
  std::vector<std::string> extra_flags;
  std::chrono::seconds ready_timeout{30};
};

class NoiseProcess {
 public:
  // InvalidArgument for a missing host or mib <= 0; the supervisor's error (with the log tail)
  // when it does not get ready.
  static Result<std::unique_ptr<NoiseProcess>> Start(const NoiseOptions& options);
  ~NoiseProcess();
  NoiseProcess(const NoiseProcess&) = delete;
  NoiseProcess& operator=(const NoiseProcess&) = delete;

  Status Stop();  // SIGTERM, SIGKILL after 5 s; once

 private:
  NoiseProcess(std::string state_dir, std::string name) : state_dir_(std::move(state_dir)), name_(std::move(name)) {}
  std::string state_dir_;
  std::string name_;
  bool stopped_ = false;
};

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_BENCH_CLUSTER_H_
