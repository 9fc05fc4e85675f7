// `s3ml bench epc-slo`: how much EPC paging a model server tolerates before its p99 latency
// misses an SLO, and so where the EPC policies' thresholds belong (the servers'
// --epc-critical-pages-per-s / --epc-low-pages-per-s, `s3ml up --epc-critical/--epc-low`, the
// autoscaler's target).
//
// For each model, for each count of co-located servers, a local cluster with one emulated SGX host
// (`s3ml up --hosts 1`, cluster/bench_cluster.h) is started with only that model; for each
// noisy-neighbour size a `sim noise` enclave runs on the host, a fixed open-loop request rate is
// driven straight at server-1 (cluster/load_generator.h; warm-up first, not measured) and the host's
// paging counters are read at the start and end of the measured window. One CSV row per level;
// then, per model, the paging rate at which p99 crosses the SLO is fitted (cluster/slo_threshold.h:
// monotone envelope, linear interpolation) and printed with the flags it suggests, and a PNG of p99
// against paging throughput is rendered with gnuplot.
//
// The simulated EPC gives each enclave a fair share (capacity / live enclaves), so a server pages
// only when its working set exceeds its share: --epc-mib auto picks, for the bundled models, a
// capacity a little above the server's working set, so that noise or a co-located server pushes it
// past its share.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "apps/s3ml/bench_parent.h"
#include "apps/s3ml/command.h"
#include "client/inference_client.h"
#include "client/v2_tensor.h"
#include "cluster/bench_cluster.h"
#include "cluster/executable_lookup.h"
#include "cluster/load_generator.h"
#include "cluster/paging_rate.h"
#include "cluster/process_supervisor.h"
#include "cluster/slo_report.h"
#include "cluster/slo_threshold.h"
#include "core/clock.h"
#include "core/file.h"
#include "tee/epc/host_snapshot.h"

namespace {

using namespace s3ml;
namespace fs = std::filesystem;

constexpr double kClusterWarmupSeconds = 3;

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop.store(true); }

// Defaults for the bundled models. A server's engine memory in the enclave (model copy, packed
// weights, arenas) is ~2.8 MiB for v1 0.25 and ~16.7 MiB for v2, but what one inference touches is
// less: measured at 20 requests/s, v1 does not page with 1.5 MiB and thrashes with 1.0 MiB; v2 does
// not page with 16 MiB and thrashes with 10 MiB. The capacities are chosen so that the server
// alone fits and a neighbour taking up to its fair share (capacity / 2) squeezes the server
// across that range. The SLOs are a few times the unpaged p99 seen on a busy 2-core machine.
struct ModelDefaults {
  double epc_mib;
  double slo_ms;
};
const std::map<std::string, ModelDefaults>& AutoDefaults() {
  static const std::map<std::string, ModelDefaults> table = {
      {"mobilenet_v1_0.25_128_quant", {2, 15}},
      {"mobilenet_v2_1.0_224_quant", {24, 150}},
  };
  return table;
}

struct Options {
  std::vector<std::string> models = {"mobilenet_v1_0.25_128_quant", "mobilenet_v2_1.0_224_quant"};
  std::string models_dir;
  double rate = 20;
  double seconds = 8;
  double warmup = 2;
  std::vector<double> noise_mib;  // empty: auto (fractions of the capacity)
  double noise_pages_per_s = 2000;
  std::vector<int> colocated = {1};
  std::vector<std::string> epc_mib = {"auto"};
  std::vector<std::string> slo_ms = {"auto"};
  double low_fraction = 0.5;
  std::string out = "epc-slo";
  int connections = 8;
  bool no_plot = false;
  uint64_t seed = 1;
};

struct Row {
  std::string model;
  int colocated = 1;
  double epc_mib = 0;
  double noise_mib = 0;
  double noise_pages_per_s = 0;
  double offered_rps = 0;
  double seconds = 0;
  double slo_ms = 0;
  cluster::LatencyStats latency;
  double achieved_rps = 0;
  double host_pages_per_s = 0;
  double host_evicted_per_s = 0;
  double host_loaded_per_s = 0;
  double server_pages_per_s = 0;
  double server_resident_mib = 0;
  bool overloaded = false;  // stopped after the grace period with requests still queued
  std::string first_error;
};

const std::vector<std::string> kCsvHeader = {
    "model", "colocated_servers", "epc_mib", "noise_mib", "noise_pages_per_s", "offered_rps", "seconds",
    "slo_ms", "requests", "errors", "achieved_rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "within_slo",
    "host_paging_pages_per_s", "host_evicted_per_s", "host_loaded_per_s", "server_paging_pages_per_s",
    "server_resident_mib", "overloaded", "first_error"};

std::vector<std::string> CsvRow(const Row& r) {
  using cluster::CsvNumber;
  return {r.model, std::to_string(r.colocated), CsvNumber(r.epc_mib), CsvNumber(r.noise_mib),
          CsvNumber(r.noise_pages_per_s), CsvNumber(r.offered_rps), CsvNumber(r.seconds),
          CsvNumber(r.slo_ms), std::to_string(r.latency.requests), std::to_string(r.latency.errors), CsvNumber(r.achieved_rps),
          CsvNumber(r.latency.p50_ms), CsvNumber(r.latency.p90_ms), CsvNumber(r.latency.p99_ms),
          CsvNumber(r.latency.max_ms), CsvNumber(r.latency.within_slo), CsvNumber(r.host_pages_per_s),
          CsvNumber(r.host_evicted_per_s), CsvNumber(r.host_loaded_per_s), CsvNumber(r.server_pages_per_s),
          CsvNumber(r.server_resident_mib), r.overloaded ? "1" : "0", r.first_error};
}

void WriteText(const std::string& path, const std::string& text) {
  cli::CheckOk(WriteFileAtomic(path, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, 0644), path);
}

std::string BundledModelsDir() {
  if (const char* env = std::getenv("S3ML_TESTDATA_DIR"); env != nullptr && *env != '\0')
    return std::string(env) + "/models/coral";
  const std::string self = cli::ValueOrFail(cluster::SelfDirectory(), "self");
  std::error_code ec;
  for (const std::string& candidate : {self + "/../../../shared/testdata/models/coral",
                                       self + "/../../shared/testdata/models/coral", self + "/../share/s3ml/models/coral"}) {
    if (fs::is_directory(candidate, ec)) return fs::weakly_canonical(candidate, ec).string();
  }
  throw cli::CommandFailed(1, "cannot find the bundled models (testdata/models/coral); set S3ML_TESTDATA_DIR or pass --models-dir DIR");
}

// A directory holding only this model (and the labels), for `s3ml up --models`.
std::string SingleModelDir(const std::string& source_dir, const std::string& model, const std::string& out) {
  const std::string tflite = source_dir + "/" + model + ".tflite";
  std::error_code ec;
  if (!fs::is_regular_file(tflite, ec)) {
    std::string available;
    for (const auto& e : fs::directory_iterator(source_dir, ec))
      if (e.path().extension() == ".tflite") available += " " + e.path().stem().string();
    throw cli::CommandFailed(2, "--models: no " + tflite + " (available:" + available + ")");
  }
  const std::string dir = out + "/models/" + model;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) throw cli::CommandFailed(1, "cannot create " + dir + ": " + ec.message());
  fs::create_symlink(fs::absolute(tflite), dir + "/" + model + ".tflite", ec);
  if (ec) throw cli::CommandFailed(1, "cannot link " + tflite + ": " + ec.message());
  for (const std::string& labels : {source_dir + "/" + model + ".labels.txt", source_dir + "/imagenet_labels.txt"}) {
    if (fs::is_regular_file(labels, ec)) {
      fs::create_symlink(fs::absolute(labels), dir + "/labels.txt", ec);
      break;
    }
  }
  return dir;
}

// A per-model flag: one value for every model or one per model; "auto" takes the model's default.
double PerModel(const std::vector<std::string>& values, const std::vector<std::string>& models, size_t index,
                const char* flag, double ModelDefaults::*field, double min, double max) {
  if (values.size() != 1 && values.size() != models.size())
    throw cli::CommandFailed(2, std::string(flag) + " takes one value or one per model (" +
                                    std::to_string(models.size()) + ")");
  const std::string& v = values.size() == 1 ? values[0] : values[index];
  const std::string& model = models[index];
  if (v == "auto") {
    auto it = AutoDefaults().find(model);
    if (it == AutoDefaults().end())
      throw cli::CommandFailed(2, std::string(flag) + " auto has no default for " + model + "; give a number");
    return it->second.*field;
  }
  try {
    size_t used = 0;
    const double x = std::stod(v, &used);
    if (used == v.size() && std::isfinite(x) && x >= min && x <= max) return x;
  } catch (const std::exception&) {
  }
  throw cli::CommandFailed(2, std::string(flag) + ": '" + v + "' is neither auto nor a number in " +
                                  cluster::CsvNumber(min) + ".." + cluster::CsvNumber(max));
}

double EpcMibFor(const Options& o, size_t i) {
  return PerModel(o.epc_mib, o.models, i, "--epc-mib", &ModelDefaults::epc_mib, 1, 65536);
}
double SloMsFor(const Options& o, size_t i) {
  return PerModel(o.slo_ms, o.models, i, "--slo-ms", &ModelDefaults::slo_ms, 0.001, 1e6);
}

std::vector<double> NoiseLevels(const Options& o, double epc_mib) {
  if (!o.noise_mib.empty()) return o.noise_mib;
  // 0: the server alone; then the neighbour leaves the (single) server 3/4, 5/8 and 1/2 (its fair
  // share) of the capacity; beyond half it would only page itself.
  return {0, 0.25 * epc_mib, 0.375 * epc_mib, 0.5 * epc_mib};
}

// One infer call for the model, from its metadata: the first input filled with a fixed pattern
// (latency does not depend on the pixels), only the first output asked for.
client::V2InferCall MakeCall(client::InferenceClient& client, const std::string& model) {
  client::V2ModelMetadata metadata = cli::ValueOrFail(client.ModelMetadata(model), "metadata of " + model);
  if (metadata.inputs.size() != 1 || metadata.outputs.empty())
    throw cli::CommandFailed(1, "model " + model + " must have one input and an output");
  engine::TensorInfo input = cli::ValueOrFail(client::ToTensorInfo(metadata.inputs[0]), "metadata of " + model);
  client::V2InferCall call;
  client::V2Tensor t;
  t.name = metadata.inputs[0].name;
  t.datatype = metadata.inputs[0].datatype;
  t.shape.assign(input.shape.begin(), input.shape.end());
  t.data.resize(input.byte_size());
  for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = static_cast<uint8_t>((i * 31) % 251);
  call.inputs.push_back(std::move(t));
  call.outputs.push_back(metadata.outputs[0].name);
  return call;
}

struct Sample {
  cluster::PagingSample paging;
  tee::epc::HostSnapshot snapshot;
};

class EpcSloBench {
 public:
  explicit EpcSloBench(Options o) : o_(std::move(o)) {}
  void Run();

 private:
  void RunModel(size_t model_index);
  std::optional<Row> RunLevel(const cluster::BenchCluster& bench_cluster, client::InferenceClientOptions client_options,
                              const client::V2InferCall& call, const std::string& model, double slo_ms,
                              double noise_mib);
  void Report(double elapsed_seconds);

  Options o_;
  std::string s3ml_;
  std::string source_dir_;
  std::vector<Row> rows_;
};

void EpcSloBench::Run() {
  if (o_.models.empty()) throw cli::CommandFailed(2, "--models: no model");
  if (!(o_.rate > 0 && o_.rate <= 10000)) throw cli::CommandFailed(2, "--rate must be in (0, 10000] requests/s");
  if (!(o_.seconds >= 1 && o_.seconds <= 3600)) throw cli::CommandFailed(2, "--seconds must be in 1..3600");
  if (!(o_.warmup >= 0 && o_.warmup <= 600)) throw cli::CommandFailed(2, "--warmup must be in 0..600 seconds");
  if (!(o_.low_fraction > 0 && o_.low_fraction < 1)) throw cli::CommandFailed(2, "--low-fraction must be in (0, 1)");
  if (!(std::isfinite(o_.noise_pages_per_s) && o_.noise_pages_per_s >= 0))
    throw cli::CommandFailed(2, "--noise-pages-per-s must be >= 0 (0: unpaced)");
  for (double m : o_.noise_mib)
    if (!(m >= 0 && m <= 65536)) throw cli::CommandFailed(2, "--noise-mib values must be in 0..65536");
  for (int c : o_.colocated)
    if (c < 1 || c > 16) throw cli::CommandFailed(2, "--colocated values must be in 1..16");
  if (o_.colocated.empty()) throw cli::CommandFailed(2, "--colocated: no value");
  for (size_t i = 0; i < o_.models.size(); ++i) {  // fail before starting anything
    (void)EpcMibFor(o_, i);
    (void)SloMsFor(o_, i);
  }
  if (!o_.no_plot && !cluster::FindExecutable("gnuplot").ok())
    throw cli::CommandFailed(1, "gnuplot is not installed (Debian: apt-get install gnuplot-nox), or pass --no-plot");

  const std::string self = cli::ValueOrFail(cluster::SelfDirectory(), "self");
  s3ml_ = cli::ValueOrFail(cluster::ExecutableIn(self, "s3ml"), "s3ml");
  source_dir_ = o_.models_dir.empty() ? BundledModelsDir() : o_.models_dir;
  std::error_code ec;
  o_.out = fs::absolute(o_.out, ec).lexically_normal().string();
  fs::create_directories(o_.out, ec);
  if (ec) throw cli::CommandFailed(1, "cannot create " + o_.out + ": " + ec.message());

  struct sigaction action {};
  action.sa_handler = &OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  const uint64_t start = MonotonicNanos();
  std::printf("%-28s %4s %6s %6s %8s %5s %8s %8s %8s %10s %10s %8s\n", "model", "srv", "epcMiB", "noise", "req", "err",
              "p50ms", "p90ms", "p99ms", "host pg/s", "srv pg/s", "srv MiB");
  std::fflush(stdout);
  for (size_t i = 0; i < o_.models.size() && !g_stop.load(); ++i) RunModel(i);
  Report(static_cast<double>(MonotonicNanos() - start) / 1e9);
  if (g_stop.load()) throw cli::CommandFailed(130, "interrupted; partial results in " + o_.out);
}

void EpcSloBench::RunModel(size_t model_index) {
  const std::string& model = o_.models[model_index];
  const double epc_mib = EpcMibFor(o_, model_index);
  const double slo_ms = SloMsFor(o_, model_index);
  const std::string models_dir = SingleModelDir(source_dir_, model, o_.out);
  for (int colocated : o_.colocated) {
    if (g_stop.load()) return;
    cluster::BenchClusterOptions co;
    co.s3ml = s3ml_;
    co.state_dir = o_.out + "/clusters/" + model + "-c" + std::to_string(colocated);
    co.servers = colocated;
    co.hosts = 1;
    co.epc_mib = epc_mib;
    co.models_dir = models_dir;
    auto bench_cluster = cli::ValueOrFail(cluster::BenchCluster::Start(co), "cluster for " + model);
    client::InferenceClientOptions client_options;
    client_options.endpoints = {cli::ValueOrFail(bench_cluster->ServerUrl("server-1"), "cluster record")};
    client_options.root_ca_pem = cli::ValueOrFail(bench_cluster->RootCaPem(), "root CA");
    client_options.request_timeout = std::chrono::seconds(10);
    client_options.max_attempts = 1;  // one server: a retry would only hide the failure
    auto probe = cli::ValueOrFail(client::InferenceClient::Create(client_options), "client");
    const client::V2InferCall call = MakeCall(*probe, model);
    // A fresh cluster is slower at first (model loads of co-located servers, first executions,
    // handshakes): a few unmeasured seconds at the rate before the first level.
    cluster::LoadGeneratorOptions warm;
    warm.client = client_options;
    warm.model = model;
    warm.call = call;
    warm.schedule = {{kClusterWarmupSeconds, o_.rate}};
    warm.connections = static_cast<size_t>(o_.connections);
    warm.requests_per_connection = 0;
    cli::CheckOk(cluster::RunLoad(warm, &g_stop).status(), "warm-up load");
    for (double noise_mib : NoiseLevels(o_, epc_mib)) {
      if (g_stop.load()) break;
      std::optional<Row> row = RunLevel(*bench_cluster, client_options, call, model, slo_ms, noise_mib);
      if (!row) break;
      row->colocated = colocated;
      row->epc_mib = epc_mib;
      const Row& r = *row;
      std::printf("%-28s %4d %6.1f %6.2f %8zu %5zu %8.2f %8.2f %8.2f %10.0f %10.0f %8.2f%s%s%s\n", r.model.c_str(),
                  r.colocated, r.epc_mib, r.noise_mib, r.latency.requests, r.latency.errors, r.latency.p50_ms,
                  r.latency.p90_ms, r.latency.p99_ms, r.host_pages_per_s, r.server_pages_per_s, r.server_resident_mib,
                  r.overloaded ? "  overloaded (stopped)" : "", r.first_error.empty() ? "" : "  first error: ",
                  r.first_error.c_str());
      std::fflush(stdout);
      rows_.push_back(std::move(*row));
    }
    cli::CheckOk(bench_cluster->Stop(), "stop cluster");
  }
}

std::optional<Row> EpcSloBench::RunLevel(const cluster::BenchCluster& bench_cluster,
                                          client::InferenceClientOptions client_options,
                                          const client::V2InferCall& call, const std::string& model, double slo_ms,
                                          double noise_mib) {
  const std::string host = bench_cluster.record().hosts.at(0).name;
  std::unique_ptr<cluster::NoiseProcess> noise;
  if (noise_mib > 0) {
    cluster::NoiseOptions no;
    no.s3ml = s3ml_;
    no.state_dir = bench_cluster.layout().root;
    no.host = host;
    no.mib = noise_mib;
    no.pages_per_second = o_.noise_pages_per_s;
    noise = cli::ValueOrFail(cluster::NoiseProcess::Start(no), "noise " + std::to_string(noise_mib) + " MiB");
  }
  const pid_t server_pid = cluster::ProcessSupervisor(bench_cluster.layout().root).Inspect("server-1").pid;

  cluster::LoadGeneratorOptions load;
  load.client = std::move(client_options);
  load.model = model;
  load.call = call;
  if (o_.warmup > 0) load.schedule.push_back({o_.warmup, o_.rate});
  load.schedule.push_back({o_.seconds, o_.rate});
  load.connections = static_cast<size_t>(o_.connections);
  load.requests_per_connection = 0;  // straight at one server: no balancer to rebalance
  load.seed = o_.seed;

  // The paging window is the measured phase: sampled by a thread at its start and end.
  std::optional<Sample> before, after;
  Status sample_error;
  std::atomic<bool> sampler_done{false};
  const auto t0 = std::chrono::steady_clock::now();
  std::thread sampler([&] {
    auto wait_until = [&](std::chrono::steady_clock::time_point when) {
      while (std::chrono::steady_clock::now() < when && !g_stop.load() && !sampler_done.load())
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    };
    const auto begin = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::duration<double>(o_.warmup));
    wait_until(begin);
    auto b = tee::epc::ReadHostSnapshot(host);
    if (!b.ok()) {
      sample_error = b.status();
      return;
    }
    before = Sample{cluster::PagingSampleFromSnapshot(*b, MonotonicNanos()), *b};
    wait_until(begin + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                           std::chrono::duration<double>(o_.seconds)));
    auto a = tee::epc::ReadHostSnapshot(host);
    if (!a.ok()) {
      sample_error = a.status();
      return;
    }
    after = Sample{cluster::PagingSampleFromSnapshot(*a, MonotonicNanos()), *a};
  });
  // An overloaded server (thrashing) can leave a queue that takes far longer than the window to
  // drain; past the grace period the run is stopped and the level marked as overloaded (requests
  // never sent are then missing from its figures, which are far above any SLO anyway).
  std::atomic<bool> level_stop{false};
  std::atomic<bool> overloaded{false};
  const auto give_up = t0 + std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(
                                o_.warmup + o_.seconds + std::max(10.0, o_.seconds)));
  std::thread watchdog([&] {
    while (!sampler_done.load() && !g_stop.load()) {
      if (std::chrono::steady_clock::now() >= give_up) {
        overloaded.store(true);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!sampler_done.load()) level_stop.store(true);
  });
  auto run = cluster::RunLoad(load, &level_stop);
  sampler_done.store(true);
  sampler.join();
  watchdog.join();
  if (noise) cli::CheckOk(noise->Stop(), "stop noise");
  cli::CheckOk(run.status(), "load");
  if (g_stop.load()) return std::nullopt;
  cli::CheckOk(sample_error, "EPC counters of " + host);
  if (!before || !after) throw cli::CommandFailed(1, "EPC counters of " + host + " were not sampled");

  Row row;
  row.model = model;
  row.noise_mib = noise_mib;
  row.noise_pages_per_s = noise_mib > 0 ? o_.noise_pages_per_s : 0;
  row.offered_rps = o_.rate;
  row.seconds = o_.seconds;
  row.slo_ms = slo_ms;
  row.latency = cluster::SummarizeLatency(run->records, slo_ms, o_.warmup, o_.warmup + o_.seconds);
  row.achieved_rps = static_cast<double>(row.latency.requests - row.latency.errors) / o_.seconds;
  row.first_error = run->first_error;
  row.overloaded = overloaded.load();
  const auto rates = cli::ValueOrFail(cluster::ComputePagingRates(before->paging, after->paging), "paging rate");
  row.host_pages_per_s = rates.host.total_per_second();
  row.host_evicted_per_s = rates.host.evicted_per_second;
  row.host_loaded_per_s = rates.host.loaded_per_second;
  for (const auto& e : after->snapshot.enclaves) {
    if (e.pid != server_pid || e.name != "s3ml-server") continue;
    row.server_resident_mib = static_cast<double>(e.resident_pages) * 4096 / (1024 * 1024);
    auto it = rates.enclaves.find(cluster::EnclaveRateKey(e.pid, e.name));
    if (it != rates.enclaves.end()) row.server_pages_per_s = it->second.total_per_second();
  }
  return row;
}

void EpcSloBench::Report(double elapsed_seconds) {
  const std::string csv_path = o_.out + "/epc-slo.csv";
  cluster::CsvTable table;
  table.header = kCsvHeader;
  for (const Row& r : rows_) table.rows.push_back(CsvRow(r));
  WriteText(csv_path, cli::ValueOrFail(cluster::RenderCsv(table), "CSV"));

  std::printf("\nThreshold = host paging rate (EWB+ELDU pages/s) where the running-max envelope of p99 (points\n"
              "sorted by paging rate) crosses the model's p99 SLO, interpolated linearly between the last point\n"
              "within it and the first above it.\n");
  cluster::PlotSpec plot;
  plot.title = "p99 latency against EPC paging (" + std::to_string(static_cast<int>(o_.rate)) + " req/s)";
  plot.x_label = "host paging throughput, EWB+ELDU pages/s";
  plot.y_label = "p99 latency, ms (log scale)";
  plot.log_y = true;  // the models' latencies differ by orders of magnitude once they thrash
  plot.png_path = o_.out + "/epc-slo.png";
  cluster::CsvTable thresholds;
  thresholds.header = {"model", "slo_ms", "result", "threshold_pages_per_s", "points"};
  for (size_t m = 0; m < o_.models.size(); ++m) {
    const std::string& model = o_.models[m];
    const double slo_ms = SloMsFor(o_, m);
    std::vector<cluster::SloPoint> points;
    cluster::PlotSeries series;
    series.name = model;
    for (const Row& r : rows_) {
      if (r.model != model) continue;
      points.push_back({r.host_pages_per_s, r.latency.p99_ms});
      series.points.emplace_back(r.host_pages_per_s, r.latency.p99_ms);
    }
    if (points.empty()) continue;
    // The points as the fit sees them: by paging rate, with the running maximum of p99.
    std::vector<const Row*> sorted;
    for (const Row& r : rows_)
      if (r.model == model) sorted.push_back(&r);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Row* a, const Row* b) { return a->host_pages_per_s < b->host_pages_per_s; });
    std::printf("\n%s (SLO p99 <= %s ms)\n  %10s %4s %6s %9s %9s %9s %6s\n", model.c_str(),
                cluster::CsvNumber(slo_ms).c_str(), "host pg/s", "srv", "noise", "p99 ms", "envelope", "ok/s", "SLO");
    double envelope = 0;
    for (const Row* r : sorted) {
      if (!std::isnan(r->latency.p99_ms)) envelope = std::max(envelope, r->latency.p99_ms);
      std::printf("  %10.0f %4d %6.2f %9.2f %9.2f %9.1f %6s\n", r->host_pages_per_s, r->colocated, r->noise_mib,
                  r->latency.p99_ms, envelope, r->achieved_rps, envelope <= slo_ms ? "met" : "missed");
    }
    plot.series.push_back(series);
    plot.horizontals.push_back({slo_ms, model + " SLO " + cluster::CsvNumber(slo_ms) + " ms"});
    const auto fit = cli::ValueOrFail(cluster::FitSloThreshold(points, slo_ms), "fit");
    thresholds.rows.push_back({model, cluster::CsvNumber(slo_ms), cluster::SloCrossingName(fit.crossing),
                               cluster::CsvNumber(fit.pages_per_second), std::to_string(fit.points_used)});
    switch (fit.crossing) {
      case cluster::SloCrossing::kCrossed:
        std::printf("%s: p99 crosses %.3g ms at %.0f host pages/s (between %.0f pages/s, p99 %.2f ms and %.0f pages/s, "
                    "p99 %.2f ms)\n  suggested: s3ml up --epc-critical %.0f --epc-low %.0f   "
                    "(s3ml-server --epc-critical-pages-per-s %.0f --epc-low-pages-per-s %.0f)\n",
                    model.c_str(), slo_ms, fit.pages_per_second, fit.lower.pages_per_second, fit.lower.p99_ms,
                    fit.upper.pages_per_second, fit.upper.p99_ms, fit.pages_per_second,
                    fit.pages_per_second * o_.low_fraction, fit.pages_per_second,
                    fit.pages_per_second * o_.low_fraction);
        plot.verticals.push_back({fit.pages_per_second, model + " " + std::to_string(std::lround(fit.pages_per_second)) + " pages/s"});
        break;
      case cluster::SloCrossing::kNotCrossed:
        std::printf("%s: not crossed: p99 stayed within %.3g ms up to %.0f host pages/s, the highest measured; the "
                    "threshold is above that (add noise or co-located servers, or lower --epc-mib)\n",
                    model.c_str(), slo_ms, fit.pages_per_second);
        break;
      case cluster::SloCrossing::kAlwaysAbove:
        std::printf("%s: always above: p99 exceeds %.3g ms even at %.0f host pages/s, the lowest measured; no paging "
                    "threshold meets this SLO (raise --slo-ms or lower --rate)\n",
                    model.c_str(), slo_ms, fit.pages_per_second);
        break;
      case cluster::SloCrossing::kNoData:
        std::printf("%s: no usable points\n", model.c_str());
        break;
    }
  }
  WriteText(o_.out + "/epc-slo-thresholds.csv", cli::ValueOrFail(cluster::RenderCsv(thresholds), "CSV"));
  std::printf("CSV: %s (thresholds: %s/epc-slo-thresholds.csv)\n", csv_path.c_str(), o_.out.c_str());
  if (!o_.no_plot && !plot.series.empty()) {
    const std::string script_path = o_.out + "/epc-slo.gp";
    auto script = cluster::RenderGnuplotScript(plot);
    if (script.ok()) {
      WriteText(script_path, *script);
      cli::CheckOk(cluster::RenderPlot(script_path, plot.png_path), "plot");
      std::printf("plot: %s (script %s)\n", plot.png_path.c_str(), script_path.c_str());
    } else {
      std::printf("no plot: %s\n", script.status().ToString().c_str());
    }
  }
  std::printf("took %.0f s\n", elapsed_seconds);
}

void Setup(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = cli::BenchParent(app)->add_subcommand(
      "epc-slo", "p99 latency against EPC paging under noisy neighbours; fit the paging threshold of an SLO");
  cmd->add_option("--models", o->models, "Model names (files <name>.tflite in --models-dir); default: both bundled MobileNets");
  cmd->add_option("--models-dir", o->models_dir, "Directory of the models (default: the bundled testdata/models/coral)");
  cmd->add_option("--rate", o->rate, "Offered load, requests/s (open loop, Poisson arrivals; default 20)");
  cmd->add_option("--seconds", o->seconds, "Measured seconds per level (default 8)");
  cmd->add_option("--warmup", o->warmup, "Seconds of load before each measurement, not counted (default 2)");
  cmd->add_option("--noise-mib", o->noise_mib,
                  "Noisy-neighbour sizes in MiB, 0 = none (default: 0, 1/4, 3/8 and 1/2 x the EPC capacity)");
  cmd->add_option("--noise-pages-per-s", o->noise_pages_per_s,
                  "Pace of the noisy neighbour's page touches (0 = unpaced; default 2000)");
  cmd->add_option("--colocated", o->colocated, "Servers sharing the one EPC host, one cluster each (default 1; e.g. 1 2 for more paging)");
  cmd->add_option("--epc-mib", o->epc_mib, "EPC capacity in MiB: auto, one value, or one per model (default auto: 2 for v1 0.25, 24 for v2)");
  cmd->add_option("--slo-ms", o->slo_ms, "p99 latency SLO in ms: auto, one value, or one per model (default auto: 15 for v1 0.25, 150 for v2)");
  cmd->add_option("--low-fraction", o->low_fraction, "Suggested --epc-low as this fraction of the threshold (default 0.5)");
  cmd->add_option("--out", o->out, "Output directory: CSV, PNG, gnuplot script, cluster state (default ./epc-slo)");
  cmd->add_option("--connections", o->connections, "Client connections (default 8)")->check(CLI::Range(1, 1024));
  cmd->add_option("--seed", o->seed, "Seed of the arrival times (default 1)");
  cmd->add_flag("--no-plot", o->no_plot, "Do not render the PNG (no gnuplot needed)");
  cmd->callback([o] { EpcSloBench(*o).Run(); });
}

const cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
