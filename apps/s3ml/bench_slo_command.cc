// `s3ml bench slo`: the SLO experiment of DESIGN.md ("EPC-aware load balancing and scaling").
//
// The same scripted scenario runs once per mode, each on a fresh local cluster (`s3ml up`) of
// --hosts emulated SGX hosts (simulated EPC of --epc-mib each) with one server per host:
//   phase 1 (steady):  --rate requests/s;
//   phase 2 (noise):   a noisy neighbour (--noise-enclaves enclaves of --noise-mib each, paced to
//                      --noise-pages-per-s touches/s) fills most of the first server's host EPC;
//   phase 3 (rise):    the load rises to --peak-rate.
// Modes: (a) round robin, fixed servers (agents answer "up 100%"); (b) EPC-aware weights;
// (c) EPC-aware weights + EPC-driven autoscaling (`s3ml autoscale --metric epc`); (d) autoscaling
// on CPU use with round robin (what a default HPA does). The load is open-loop (cluster/
// load_generator.h) through HAProxy, on connections recycled every --requests-per-connection
// requests (HAProxy balances connections). Once a second a sampler records the servers in the
// cluster record and each host's paging rate.
// Output: a table (share of requests within --slo-ms overall and per phase, p50/p99, servers,
// paging), and in --out: slo_summary.csv, slo_timeline.csv (per second and mode), slo_p99.png and
// slo_servers.png (gnuplot) with their scripts.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "apps/s3ml/bench_parent.h"
#include "apps/s3ml/command.h"
#include "client/inference_client.h"
#include "cluster/bench_cluster.h"
#include "cluster/cluster_state.h"
#include "cluster/load_generator.h"
#include "cluster/paging_rate.h"
#include "cluster/slo_report.h"
#include "core/clock.h"
#include "core/file.h"
#include "tee/epc/host_snapshot.h"

namespace {

using namespace s3ml;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct SloOptions {
  std::string modes = "a,b,c,d";
  std::string models_dir;  // "" = the bundled MobileNet v2
  std::string model;       // "" = the cluster's first model
  double slo_ms = 100;
  double phase_seconds = 40;
  double rate = 15;
  double peak_rate = 30;
  int hosts = 3;
  int max_servers = 5;
  double epc_mib = 40;
  int noise_enclaves = 3;
  double noise_mib = 12;
  double noise_pages_per_s = 1000;
  double epc_low = 1000;
  double epc_critical = 4000;
  double epc_target = 1000;
  double cpu_target = 50;
  double scale_period = 2;
  int scale_down_window = 60;
  size_t connections = 8;
  uint32_t requests_per_connection = 5;
  std::string out_dir = "slo-bench";
  uint64_t seed = 1;
};

struct Mode {
  char id;
  std::string title;
  std::vector<std::string> flags;
};

std::string Num(double v) {
  char out[32];
  std::snprintf(out, sizeof(out), "%.10g", v);
  return out;
}

std::vector<Mode> ModesFor(const SloOptions& o) {
  const std::vector<std::string> scaling = {"--min-servers", std::to_string(o.hosts), "--max-servers",
                                            std::to_string(o.max_servers), "--scale-period", Num(o.scale_period),
                                            "--scale-down-window", std::to_string(o.scale_down_window)};
  auto with = [&](std::vector<std::string> flags, const std::vector<std::string>& more) {
    flags.insert(flags.end(), more.begin(), more.end());
    return flags;
  };
  const std::vector<Mode> all = {
      {'a', "(a) round robin, fixed servers", {"--agent-policy", "static"}},
      {'b', "(b) EPC-aware weights", {"--agent-policy", "epc"}},
      {'c', "(c) EPC weights + EPC scaling",
       with({"--agent-policy", "epc", "--autoscale", "epc", "--scale-target", Num(o.epc_target)}, scaling)},
      {'d', "(d) CPU scaling, round robin",
       with({"--agent-policy", "static", "--autoscale", "cpu", "--scale-target", Num(o.cpu_target)}, scaling)},
  };
  std::vector<Mode> chosen;
  for (const Mode& m : all)
    if (o.modes.find(m.id) != std::string::npos) chosen.push_back(m);
  return chosen;
}

// One sampler row: what the cluster looked like at second t of the run.
struct Sample {
  double t = 0;
  int servers = 0;
  std::vector<double> host_paging;  // pages/s over the last second, in record host order
};

// Samples the cluster once a second until stopped.
class Sampler {
 public:
  Sampler(cluster::ClusterLayout layout, std::vector<std::string> hosts, uint64_t start_nanos)
      : layout_(std::move(layout)), hosts_(std::move(hosts)), start_(start_nanos), thread_([this] { Loop(); }) {}
  ~Sampler() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::vector<Sample> samples() const {
    std::lock_guard<std::mutex> lock(mu_);
    return samples_;
  }

 private:
  void Loop() {
    std::vector<std::optional<cluster::PagingSample>> previous(hosts_.size());
    uint64_t next = start_;
    while (!stop_) {
      next += 1'000'000'000;
      while (!stop_ && MonotonicNanos() < next) std::this_thread::sleep_for(20ms);
      if (stop_) break;
      const uint64_t now = MonotonicNanos();
      Sample s;
      s.t = static_cast<double>(now - start_) / 1e9;
      auto record = cluster::LoadClusterRecord(layout_);
      s.servers = record.ok() ? static_cast<int>(record->Servers().size()) : -1;
      for (size_t i = 0; i < hosts_.size(); ++i) {
        double rate = std::nan("");
        auto snapshot = tee::epc::ReadHostSnapshot(hosts_[i]);
        if (snapshot.ok()) {
          cluster::PagingSample current = cluster::PagingSampleFromSnapshot(*snapshot, now);
          if (previous[i]) {
            auto rates = cluster::ComputePagingRates(*previous[i], current);
            if (rates.ok()) rate = rates->host.total_per_second();
          }
          previous[i] = current;
        }
        s.host_paging.push_back(rate);
      }
      std::lock_guard<std::mutex> lock(mu_);
      samples_.push_back(std::move(s));
    }
  }

  cluster::ClusterLayout layout_;
  std::vector<std::string> hosts_;
  uint64_t start_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<Sample> samples_;
  std::thread thread_;
};

struct ModeResult {
  Mode mode;
  cluster::LatencyStats all, steady, noise, rise;
  std::vector<cluster::LatencyStats> per_second;
  std::vector<Sample> samples;
  int max_servers = 0;
  int final_servers = 0;
  double noisy_host_paging = 0;  // mean over the noise and rise phases
  std::string noisy_host;
  std::string first_error;
};

// One infer call with the model's input shape, filled with seeded pseudo-random bytes (the
// models' cost does not depend on the pixel values).
client::V2InferCall MakeCall(const client::V2ModelMetadata& metadata, uint64_t seed) {
  client::V2InferCall call;
  if (metadata.inputs.empty()) throw cli::CommandFailed(1, "model " + metadata.name + " has no inputs");
  auto info = cli::ValueOrFail(client::ToTensorInfo(metadata.inputs[0]), "model input");
  client::V2Tensor t;
  t.name = metadata.inputs[0].name;
  t.datatype = metadata.inputs[0].datatype;
  for (int64_t d : metadata.inputs[0].shape) t.shape.push_back(d < 0 ? 1 : d);
  t.data.resize(info.byte_size());
  std::mt19937_64 rng(seed);
  for (auto& b : t.data) b = static_cast<uint8_t>(rng());
  call.inputs.push_back(std::move(t));
  return call;
}

ModeResult RunMode(const SloOptions& o, const Mode& mode, const std::string& state_dir) {
  ModeResult result;
  result.mode = mode;
  std::printf("%s: starting the cluster ...\n", mode.title.c_str());
  std::fflush(stdout);
  cluster::BenchClusterOptions cluster_options;
  cluster_options.state_dir = state_dir;
  cluster_options.hosts = o.hosts;
  cluster_options.servers = o.hosts;
  cluster_options.epc_mib = o.epc_mib;
  cluster_options.models_dir = o.models_dir;
  cluster_options.extra_flags = {"--epc-low", Num(o.epc_low), "--epc-critical", Num(o.epc_critical),
                                 "--epc-sample-ms", "250", "--agent-interval-ms", "250"};
  cluster_options.extra_flags.insert(cluster_options.extra_flags.end(), mode.flags.begin(), mode.flags.end());
  auto bench_cluster = cli::ValueOrFail(cluster::BenchCluster::Start(cluster_options), mode.title);
  const cluster::ClusterRecord& record = bench_cluster->record();
  const std::string model = o.model.empty() ? record.models.front() : o.model;
  result.noisy_host = record.Servers().front()->epc_host;
  std::vector<std::string> hosts;
  for (const auto& h : record.hosts) hosts.push_back(h.name);

  cluster::LoadGeneratorOptions load;
  load.client.endpoints = {"https://localhost:" + std::to_string(record.service_port)};
  load.client.root_ca_pem = cli::ValueOrFail(bench_cluster->RootCaPem(), "root CA");
  load.client.request_timeout = 10s;
  load.client.max_attempts = 2;
  load.model = model;
  load.connections = o.connections;
  load.requests_per_connection = o.requests_per_connection;
  load.seed = o.seed;
  {
    auto probe = cli::ValueOrFail(client::InferenceClient::Create(load.client), "client");
    load.call = MakeCall(cli::ValueOrFail(probe->ModelMetadata(model), "metadata of " + model), o.seed);
  }
  // Warm-up (not measured): every server has run the model before the clock starts.
  load.schedule = {{3, o.rate}};
  (void)cluster::RunLoad(load);

  load.schedule = {{o.phase_seconds, o.rate}, {o.phase_seconds, o.rate}, {o.phase_seconds, o.peak_rate}};
  const uint64_t start = MonotonicNanos();
  Sampler sampler(bench_cluster->layout(), hosts, start);
  std::vector<std::unique_ptr<cluster::NoiseProcess>> noise;
  std::string noise_error;
  std::thread noise_starter([&] {
    std::this_thread::sleep_until(std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(o.phase_seconds * 1000)));
    for (int i = 0; i < o.noise_enclaves; ++i) {
      cluster::NoiseOptions n;
      n.s3ml = bench_cluster->s3ml();
      n.state_dir = state_dir;
      n.name = "noise-" + std::to_string(i);
      n.host = result.noisy_host;
      n.mib = o.noise_mib;
      n.pages_per_second = o.noise_pages_per_s;
      auto started = cluster::NoiseProcess::Start(n);
      if (!started.ok()) {
        noise_error = started.status().ToString();
        return;
      }
      noise.push_back(std::move(started).value());
    }
  });
  auto run = cluster::RunLoad(load);
  noise_starter.join();
  sampler.Stop();
  for (auto& n : noise) (void)n->Stop();
  (void)bench_cluster->Stop();
  if (!noise_error.empty()) throw cli::CommandFailed(1, mode.title + ": noise: " + noise_error);
  if (!run.ok()) throw cli::CommandFailed(1, mode.title + ": load: " + run.status().ToString());

  const auto& records = run->records;
  const double p = o.phase_seconds;
  result.all = cluster::SummarizeLatency(records, o.slo_ms);
  result.steady = cluster::SummarizeLatency(records, o.slo_ms, 0, p);
  result.noise = cluster::SummarizeLatency(records, o.slo_ms, p, 2 * p);
  result.rise = cluster::SummarizeLatency(records, o.slo_ms, 2 * p, 3 * p);
  for (int s = 0; s < static_cast<int>(std::ceil(3 * p)); ++s)
    result.per_second.push_back(cluster::SummarizeLatency(records, o.slo_ms, s, s + 1));
  result.samples = sampler.samples();
  const auto noisy_index = static_cast<size_t>(
      std::find(hosts.begin(), hosts.end(), result.noisy_host) - hosts.begin());
  double paging_sum = 0;
  int paging_n = 0;
  for (const Sample& s : result.samples) {
    result.max_servers = std::max(result.max_servers, s.servers);
    result.final_servers = s.servers;
    if (s.t > p && noisy_index < s.host_paging.size() && std::isfinite(s.host_paging[noisy_index])) {
      paging_sum += s.host_paging[noisy_index];
      ++paging_n;
    }
  }
  result.noisy_host_paging = paging_n > 0 ? paging_sum / paging_n : 0;
  result.first_error = run->first_error;
  std::printf("%s: %zu requests, %.2f%% within %.0f ms, p99 %.1f ms, servers up to %d\n", mode.title.c_str(),
              result.all.requests, 100 * result.all.within_slo, o.slo_ms, result.all.p99_ms, result.max_servers);
  std::fflush(stdout);
  return result;
}

void WriteText(const std::string& path, const std::string& text) {
  cli::CheckOk(WriteFileAtomic(path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), 0644), path);
}

void WriteOutputs(const SloOptions& o, const std::vector<ModeResult>& results) {
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) throw cli::CommandFailed(1, "cannot create " + o.out_dir + ": " + ec.message());
  using cluster::CsvNumber;
  cluster::CsvTable summary{{"mode", "requests", "errors", "within_slo", "within_slo_steady", "within_slo_noise",
                             "within_slo_rise", "p50_ms", "p99_ms", "p99_noise_ms", "p99_rise_ms", "max_servers",
                             "final_servers", "noisy_host_pages_per_s"},
                            {}};
  cluster::CsvTable timeline{{"mode", "second", "requests", "errors", "within_slo", "p50_ms", "p99_ms", "servers"}, {}};
  cluster::PlotSpec p99_plot;
  p99_plot.title = "p99 latency per second";
  p99_plot.y_label = "p99 latency (ms, log scale)";
  p99_plot.log_y = true;  // a collapsed mode reaches seconds; the others stay near the SLO
  p99_plot.png_path = o.out_dir + "/slo_p99.png";
  cluster::PlotSpec servers_plot;
  servers_plot.title = "servers over time";
  servers_plot.y_label = "servers";
  servers_plot.png_path = o.out_dir + "/slo_servers.png";
  p99_plot.horizontal = cluster::PlotMarker{o.slo_ms, "SLO " + Num(o.slo_ms) + " ms"};
  for (auto* plot : {&p99_plot, &servers_plot}) {
    plot->x_label = "time (s)";
    plot->verticals = {{o.phase_seconds, "noise"}, {2 * o.phase_seconds, "load rises"}};
  }
  size_t host_count = results.empty() ? 0 : results.front().samples.empty() ? 0 : results.front().samples.front().host_paging.size();
  for (size_t h = 0; h < host_count; ++h) timeline.header.push_back("host" + std::to_string(h) + "_pages_per_s");
  for (const ModeResult& r : results) {
    const std::string id(1, r.mode.id);
    summary.rows.push_back({id, std::to_string(r.all.requests), std::to_string(r.all.errors), CsvNumber(r.all.within_slo),
                            CsvNumber(r.steady.within_slo), CsvNumber(r.noise.within_slo), CsvNumber(r.rise.within_slo),
                            CsvNumber(r.all.p50_ms), CsvNumber(r.all.p99_ms), CsvNumber(r.noise.p99_ms),
                            CsvNumber(r.rise.p99_ms), std::to_string(r.max_servers), std::to_string(r.final_servers),
                            CsvNumber(r.noisy_host_paging)});
    cluster::PlotSeries p99{r.mode.title, {}}, servers{r.mode.title, {}};
    for (size_t s = 0; s < r.per_second.size(); ++s) {
      const auto& b = r.per_second[s];
      std::vector<std::string> row = {id, std::to_string(s), std::to_string(b.requests), std::to_string(b.errors),
                                      CsvNumber(b.within_slo), CsvNumber(b.p50_ms), CsvNumber(b.p99_ms)};
      const Sample* sample = s < r.samples.size() ? &r.samples[s] : nullptr;
      row.push_back(sample != nullptr ? std::to_string(sample->servers) : "");
      for (size_t h = 0; h < host_count; ++h)
        row.push_back(sample != nullptr && h < sample->host_paging.size() ? CsvNumber(sample->host_paging[h]) : "");
      timeline.rows.push_back(std::move(row));
      if (b.requests > 0) p99.points.push_back({static_cast<double>(s) + 0.5, b.p99_ms});
      if (sample != nullptr) servers.points.push_back({sample->t, static_cast<double>(sample->servers)});
    }
    p99_plot.series.push_back(std::move(p99));
    servers_plot.series.push_back(std::move(servers));
  }
  WriteText(o.out_dir + "/slo_summary.csv", cli::ValueOrFail(cluster::RenderCsv(summary), "summary CSV"));
  WriteText(o.out_dir + "/slo_timeline.csv", cli::ValueOrFail(cluster::RenderCsv(timeline), "timeline CSV"));
  for (const auto* plot : {&p99_plot, &servers_plot}) {
    auto script = cluster::RenderGnuplotScript(*plot);
    if (!script.ok()) {
      std::printf("plot %s skipped: %s\n", plot->png_path.c_str(), script.status().ToString().c_str());
      continue;
    }
    const std::string script_path = fs::path(plot->png_path).replace_extension(".gp").string();
    WriteText(script_path, *script);
    Status s = cluster::RenderPlot(script_path, plot->png_path);
    std::printf("%s: %s\n", plot->png_path.c_str(), s.ok() ? "written" : s.ToString().c_str());
  }
}

void PrintTable(const SloOptions& o, const std::vector<ModeResult>& results) {
  std::printf("\nSLO %.0f ms; %.0f s steady at %.1f req/s, %.0f s with a noisy neighbour (%d x %.0f MiB) on one of %d "
              "hosts (EPC %.1f MiB each), %.0f s at %.1f req/s\n",
              o.slo_ms, o.phase_seconds, o.rate, o.phase_seconds, o.noise_enclaves, o.noise_mib, o.hosts, o.epc_mib,
              o.phase_seconds, o.peak_rate);
  std::printf("%-32s %8s %7s %8s %8s %8s %9s %9s %9s %8s %12s\n", "mode", "requests", "errors", "in SLO", "steady",
              "noise", "rise", "p50 ms", "p99 ms", "servers", "paging/s");
  for (const ModeResult& r : results) {
    char servers[16];
    std::snprintf(servers, sizeof(servers), "%d->%d", o.hosts, r.max_servers);
    std::printf("%-32s %8zu %7zu %7.2f%% %7.2f%% %7.2f%% %8.2f%% %9.1f %9.1f %8s %12.0f\n", r.mode.title.c_str(),
                r.all.requests, r.all.errors, 100 * r.all.within_slo, 100 * r.steady.within_slo,
                100 * r.noise.within_slo, 100 * r.rise.within_slo, r.all.p50_ms, r.all.p99_ms, servers,
                r.noisy_host_paging);
    if (!r.first_error.empty()) std::printf("%-32s first error: %s\n", "", r.first_error.c_str());
  }
  const ModeResult* a = nullptr;
  const ModeResult* c = nullptr;
  for (const ModeResult& r : results) {
    if (r.mode.id == 'a') a = &r;
    if (r.mode.id == 'c') c = &r;
  }
  if (a != nullptr && c != nullptr) {
    const bool met = c->all.within_slo >= 0.99 && a->all.within_slo < 0.90;
    std::printf("floor ((c) >= 99%% within SLO where (a) < 90%%): %s ((c) %.2f%%, (a) %.2f%%)\n", met ? "met" : "NOT met",
                100 * c->all.within_slo, 100 * a->all.within_slo);
  }
}

void RunSlo(const SloOptions& o) {
  if (!(o.slo_ms > 0 && o.phase_seconds >= 5 && o.rate > 0 && o.peak_rate > 0))
    throw cli::CommandFailed(2, "--slo-ms, --rate, --peak-rate must be > 0 and --phase-seconds >= 5");
  if (o.hosts < 2 || o.hosts > 16) throw cli::CommandFailed(2, "--hosts must be in 2..16");
  if (o.max_servers < o.hosts) throw cli::CommandFailed(2, "--max-servers must be at least --hosts");
  if (o.noise_enclaves < 1 || o.noise_enclaves > 16) throw cli::CommandFailed(2, "--noise-enclaves must be in 1..16");
  const std::vector<Mode> modes = ModesFor(o);
  if (modes.empty()) throw cli::CommandFailed(2, "--modes: choose from a,b,c,d");
  char pattern[] = "/tmp/s3ml-bench-slo-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw cli::CommandFailed(1, "cannot create a temporary directory");
  std::vector<ModeResult> results;
  for (const Mode& m : modes) results.push_back(RunMode(o, m, std::string(pattern) + "/" + m.id));
  std::error_code ec;
  fs::remove_all(pattern, ec);
  PrintTable(o, results);
  WriteOutputs(o, results);
}

void Setup(CLI::App& app) {
  auto o = std::make_shared<SloOptions>();
  CLI::App* cmd = cli::BenchParent(app)->add_subcommand(
      "slo", "SLO experiment: round robin vs EPC weights vs EPC weights + scaling vs CPU scaling under a noisy neighbour");
  cmd->add_option("--modes", o->modes, "Modes to run, any of a,b,c,d (default all)");
  cmd->add_option("--models", o->models_dir, "Models directory for `s3ml up` (default: bundled MobileNet v2)");
  cmd->add_option("--model", o->model, "Model to drive (default: the cluster's first)");
  cmd->add_option("--slo-ms", o->slo_ms, "Latency SLO in ms (default 100)");
  cmd->add_option("--phase-seconds", o->phase_seconds, "Length of each of the three phases (default 40)");
  cmd->add_option("--rate", o->rate, "Requests/s in the steady and noise phases (default 15)");
  cmd->add_option("--peak-rate", o->peak_rate, "Requests/s in the last phase (default 30)");
  cmd->add_option("--hosts", o->hosts, "Emulated hosts, one server each at the start (default 3)");
  cmd->add_option("--max-servers", o->max_servers, "Autoscaler maximum, modes c and d (default 5)");
  cmd->add_option("--epc-mib", o->epc_mib, "EPC of each host, MiB (default 40)");
  cmd->add_option("--noise-enclaves", o->noise_enclaves, "Noisy-neighbour enclaves (default 3)");
  cmd->add_option("--noise-mib", o->noise_mib, "Memory of each noise enclave, MiB (default 12)");
  cmd->add_option("--noise-pages-per-s", o->noise_pages_per_s, "Touch rate of each noise enclave (default 1000)");
  cmd->add_option("--epc-low", o->epc_low, "Full weight up to this host paging rate (default 1000)");
  cmd->add_option("--epc-critical", o->epc_critical, "Drain from this host paging rate (default 4000)");
  cmd->add_option("--epc-target", o->epc_target, "Mode c: target paging rate per replica (default 1000)");
  cmd->add_option("--cpu-target", o->cpu_target, "Mode d: target CPU percent per replica (default 50)");
  cmd->add_option("--scale-period", o->scale_period, "Autoscaler period, s (default 2)");
  cmd->add_option("--scale-down-window", o->scale_down_window, "Autoscaler scale-down window, s (default 60)");
  cmd->add_option("--connections", o->connections, "Client connections (default 8)");
  cmd->add_option("--requests-per-connection", o->requests_per_connection, "Reconnect after this many requests (default 5)");
  cmd->add_option("--out", o->out_dir, "Directory for the CSV files and plots (default ./slo-bench)");
  cmd->add_option("--seed", o->seed, "Seed of the arrivals and the input (default 1)");
  cmd->callback([o] { RunSlo(*o); });
}

const cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
