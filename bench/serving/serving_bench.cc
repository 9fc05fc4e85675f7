// Serving benchmark. Per model (MobileNet v2 1.0 uint8, MobileNet v1 0.25 uint8):
//   (a) engine in-process: one Execution invoked back to back (latency), and one Execution per
//       worker on `workers` threads (throughput, the ceiling a server on this machine can reach);
//   (b) one s3ml server in this process over HTTPS on loopback (TLS 1.3, keep-alive), threaded as
//       ModelServer is (an event loop per IO thread, IO threads running requests while a worker
//       slot is free), KServe v2 infer with JSON tensors and with binary tensors, 1 / 4 / 16
//       concurrent clients.
//   (d) the same server with its engine memory on a simulated EPC host (serving/epc_engine_allocator.h,
//       default modelled page cost), binary tensors, 1 / 4 clients: "under" a host of the default
//       93.5 MiB capacity (the working set fits), then "over" a host whose capacity is 60% of the
//       working set the "under" run had resident (every request pages). A line after each prints
//       the host's paging rate over the row (cluster/paging_rate.h) and the resident sizes.
// Each row prints p50 / p99 latency, throughput, and ratios against (a): p50 - p50(a) (the
// serving path's overhead at one client) and throughput / throughput(a, workers threads).
// CPU columns (less noisy than latency on a shared machine): the process's CPU time per request
// (getrusage), and the server's share of it: the process minus the client threads' own CPU time
// (CLOCK_THREAD_CPUTIME_ID); srv - cpu(a) is the serving path's CPU cost per request; csw: the
// process's context switches per request (thread hand-offs and blocking reads, client included).
//
//   serving_bench [--seconds S] [--workers N] [--engine-threads N] [--no-epc]
//                 [--model NAME] [--binary-only] [--clients N] [--io-threads N]
//   serving_bench --target https://HOST:PORT --cacert ROOT.pem [--server-pid PID]... [--balancer-pid PID]
//       measures (b) against that endpoint instead of an in-process server (e.g. HAProxy in
//       front of s3ml servers serving the same models under the names mobilenet_v2 / mobilenet_v1_025).
//       With the pids of the servers and the load balancer on this machine, a line after each row
//       gives their CPU per request and the load generator's, and the throughput the cores could
//       reach if the servers cost only (a)'s inference: what bounds "throughput / (a)" when the
//       load generator and the load balancer share the cores. scripts/bench_cluster.sh starts such
//       a cluster and runs this.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cluster/paging_rate.h"
#include "cluster/process_supervisor.h"
#include "client/encrypted_model.h"
#include "client/input_loader.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/thread_name.h"
#include "engine/model.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "serving/epc_engine_allocator.h"
#include "serving/inference_service.h"
#include "serving/model_server.h"
#include "serving/model_store.h"
#include "tee/epc/host_snapshot.h"
#include "tests/net/test_certificates.h"

namespace s3ml::serving {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct BenchModel {
  const char* name;  // the served name
  const char* file;
};
const BenchModel kModels[] = {{"mobilenet_v2", "coral/mobilenet_v2_1.0_224_quant.tflite"},
                              {"mobilenet_v1_025", "coral/mobilenet_v1_0.25_128_quant.tflite"}};

struct Flags {
  double seconds = 2.0;
  size_t workers = std::max(1u, std::thread::hardware_concurrency());
  int engine_threads = 1;
  std::string target, cacert;
  bool epc = true;
  std::string model;        // only this model ("" = all)
  bool binary_only = false;  // skip the JSON tensor rows
  size_t clients = 0;        // only this client count (0 = 1, 4 and 16)
  int io_threads = 2;        // the in-process server's IO threads
  std::vector<pid_t> server_pids;  // --target: the servers behind it, whose CPU a row reports
  pid_t balancer_pid = 0;          // --target: the load balancer (0: none on this machine)
};

struct Stats {
  double p50_ms = 0, p99_ms = 0, per_second = 0;
  size_t count = 0, errors = 0;
  double cpu_us = 0;     // process CPU time per request
  double server_us = 0;  // the same minus the client threads' CPU time
  double switches = 0;   // context switches of the process per request
  std::vector<double> watched_cpu_us;  // CPU per request of each watched process (OverHttps)
};

// CPU time of the whole process (all threads), and of the calling thread, in microseconds.
double ProcessCpuMicros() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e6 +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}
double ContextSwitches() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_nvcsw + usage.ru_nivcsw);
}
double ThreadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// CPU seconds each process has used so far; NaN for one that is gone, so its figures print "nan".
std::vector<double> WatchedCpuSeconds(const std::vector<pid_t>& pids) {
  std::vector<double> seconds;
  for (pid_t pid : pids) {
    auto cpu = cluster::ProcessCpuSeconds(pid);
    seconds.push_back(cpu.ok() ? cpu.value() : std::nan(""));
  }
  return seconds;
}

Stats Summarize(std::vector<double> ms, double elapsed_s, size_t errors) {
  Stats s;
  s.errors = errors;
  s.count = ms.size();
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  s.p50_ms = ms[ms.size() / 2];
  s.p99_ms = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  s.per_second = static_cast<double>(ms.size()) / elapsed_s;
  return s;
}

std::string Testdata(const std::string& relative) { return std::string(S3ML_TESTDATA_DIR) + "/models/" + relative; }

// (a) one Execution per thread, invoked back to back for `seconds`.
Stats EngineInProcess(const engine::Model& model, const std::vector<uint8_t>& input, size_t threads, double seconds) {
  std::vector<std::vector<double>> samples(threads);
  const double cpu0 = ProcessCpuMicros();
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      auto execution = model.CreateExecution();
      if (!execution.ok()) return;
      for (int warm = 0; warm < 5; ++warm) {
        std::memcpy(execution.value()->input(0).data(), input.data(), input.size());
        (void)execution.value()->Invoke();
      }
      while (Clock::now() < end) {
        const auto t0 = Clock::now();
        std::memcpy(execution.value()->input(0).data(), input.data(), input.size());
        if (!execution.value()->Invoke().ok()) return;
        samples[t].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  for (auto& thread : pool) thread.join();
  std::vector<double> all;
  for (auto& s : samples) all.insert(all.end(), s.begin(), s.end());
  Stats stats = Summarize(std::move(all), std::chrono::duration<double>(Clock::now() - start).count(), 0);
  // Includes the few warm-up invocations; negligible against a row's count.
  if (stats.count > 0) stats.cpu_us = stats.server_us = (ProcessCpuMicros() - cpu0) / static_cast<double>(stats.count);
  return stats;
}

net::HttpRequest JsonRequest(const std::string& model, const std::string& input_name,
                             const std::vector<int32_t>& shape, const std::vector<uint8_t>& tensor) {
  json data = json::array();
  for (uint8_t v : tensor) data.push_back(v);
  net::HttpRequest request;
  request.method = "POST";
  request.target = "/v2/models/" + model + "/infer";
  request.headers.Set("Content-Type", "application/json");
  request.body = json{{"inputs", {{{"name", input_name}, {"shape", shape}, {"datatype", "UINT8"}, {"data", data}}}}}.dump();
  return request;
}

net::HttpRequest BinaryRequest(const std::string& model, const std::string& input_name,
                               const std::vector<int32_t>& shape, const std::vector<uint8_t>& tensor) {
  const std::string header =
      json{{"inputs", {{{"name", input_name}, {"shape", shape}, {"datatype", "UINT8"},
                        {"parameters", {{"binary_data_size", tensor.size()}}}}}},
           {"parameters", {{"binary_data_output", true}}}}
          .dump();
  net::HttpRequest request;
  request.method = "POST";
  request.target = "/v2/models/" + model + "/infer";
  request.headers.Set("Content-Type", "application/octet-stream");
  request.headers.Set("Inference-Header-Content-Length", std::to_string(header.size()));
  request.body = header + std::string(tensor.begin(), tensor.end());
  return request;
}

// (b) `clients` threads, each with its own keep-alive HTTPS connection, sending back to back.
// `watched`: other processes (servers, a load balancer) whose CPU time over the row is reported.
Stats OverHttps(const std::string& host, uint16_t port, const std::string& root_pem, const net::HttpRequest& request,
                size_t clients, double seconds, const std::vector<pid_t>& watched = {}) {
  net::TlsClientOptions tls;
  tls.root_pem = root_pem;
  auto context = net::TlsContext::CreateClient(tls);
  if (!context.ok()) {
    std::fprintf(stderr, "TLS: %s\n", context.status().ToString().c_str());
    return {};
  }
  std::vector<std::vector<double>> samples(clients);
  std::vector<double> client_cpu(clients, 0.0);
  std::atomic<size_t> errors{0};
  std::vector<std::unique_ptr<net::HttpClient>> connections;
  for (size_t c = 0; c < clients; ++c) {
    net::HttpClientOptions options;
    options.tls = context.value();
    connections.push_back(std::make_unique<net::HttpClient>(host, port, options));
    for (int warm = 0; warm < 3; ++warm) (void)connections.back()->Send(request);
  }
  const std::vector<double> watched0 = WatchedCpuSeconds(watched);
  const double cpu0 = ProcessCpuMicros(), switches0 = ContextSwitches();
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> pool;
  for (size_t c = 0; c < clients; ++c) {
    pool.emplace_back([&, c] {
      SetCurrentThreadName("bench-client");
      const double thread0 = ThreadCpuMicros();
      while (Clock::now() < end) {
        const auto t0 = Clock::now();
        auto response = connections[c]->Send(request);
        if (!response.ok() || response.value().status != 200) {
          ++errors;
          continue;
        }
        samples[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
      client_cpu[c] = ThreadCpuMicros() - thread0;
    });
  }
  for (auto& thread : pool) thread.join();
  const double cpu = ProcessCpuMicros() - cpu0;
  const std::vector<double> watched1 = WatchedCpuSeconds(watched);
  std::vector<double> all;
  for (auto& s : samples) all.insert(all.end(), s.begin(), s.end());
  Stats stats = Summarize(std::move(all), std::chrono::duration<double>(Clock::now() - start).count(), errors.load());
  if (stats.count > 0) {
    double clients_cpu = 0;
    for (double c : client_cpu) clients_cpu += c;
    stats.cpu_us = cpu / static_cast<double>(stats.count);
    stats.server_us = (cpu - clients_cpu) / static_cast<double>(stats.count);
    stats.switches = (ContextSwitches() - switches0) / static_cast<double>(stats.count);
    for (size_t i = 0; i < watched.size(); ++i) {
      stats.watched_cpu_us.push_back((watched1[i] - watched0[i]) * 1e6 / static_cast<double>(stats.count));
    }
  }
  return stats;
}

// An in-process s3ml server (store + KServe v2 over HTTPS) for one model already in `repository`.
struct InProcessServer {
  std::unique_ptr<ServingMetrics> metrics;
  std::unique_ptr<ModelStore> store;
  std::unique_ptr<InferenceService> service;
  std::unique_ptr<net::HttpServer> server;
  ~InProcessServer() {
    if (server) server->Shutdown(std::chrono::seconds(2));
    server.reset();
    if (store) store->UnloadAll();
  }
};

std::unique_ptr<InProcessServer> StartServer(const std::filesystem::path& repository, const std::string& name,
                                             const std::vector<uint8_t>& key, const Flags& flags,
                                             const net::testing::TestPki& pki, engine::Allocator* allocator) {
  auto s = std::make_unique<InProcessServer>();
  s->metrics = std::make_unique<ServingMetrics>();
  ModelStoreOptions options;
  options.repository = repository.string();
  options.load.workers = flags.workers;
  options.load.engine_threads = flags.engine_threads;
  options.load.max_queue_size = 256;
  options.load.allocator = allocator;
  options.load.submitter_runs = SubmitterRunsForIoThreads(flags.io_threads);  // as ModelServer
  s->store = std::make_unique<ModelStore>(options, s->metrics.get());
  std::map<std::string, crypto::SecretBytes> keys;
  keys.emplace(name, crypto::SecretBytes(key));
  s->store->SetModelKeys(std::move(keys));
  if (!s->store->Poll().ok() || !s->store->Find(name, std::nullopt).ok()) return nullptr;
  s->service = std::make_unique<InferenceService>(s->store.get(), s->metrics.get());
  net::Router router;
  if (!s->service->AddRoutes(router).ok()) return nullptr;
  net::TlsServerOptions tls;
  tls.certificate_chain_pem = pki.server.certificate_pem;
  tls.private_key_pem = pki.server.private_key_pem;
  net::HttpServerOptions server_options;
  server_options.tls = net::TlsContext::CreateServer(tls).value();
  server_options.io_threads = flags.io_threads;
  server_options.context_per_thread = true;  // as ModelServer
  s->server = std::make_unique<net::HttpServer>(server_options, std::move(router));
  if (!s->server->Start().ok()) return nullptr;
  return s;
}

void PrintRow(const std::string& model, const std::string& path, size_t clients, const Stats& s, const Stats& a1,
              const Stats& a_max) {
  std::printf("%-18s %-22s %7zu %9.3f %9.3f %10.1f %+10.3f %9.2f %7zu %8.0f %8.0f %+8.0f %6.1f\n", model.c_str(),
              path.c_str(), clients, s.p50_ms, s.p99_ms, s.per_second, s.p50_ms - a1.p50_ms,
              a_max.per_second > 0 ? s.per_second / a_max.per_second : 0.0, s.errors, s.cpu_us, s.server_us,
              s.server_us - a1.cpu_us, s.switches);
}

// After a --target row: the CPU per request of the servers, the load balancer and this load
// generator, and the throughput the cores could give if the servers spent only (a)'s inference CPU
// on a request (the others unchanged): the most "throughput / (a)" can be on this machine.
void PrintCpuBudget(const Flags& flags, const Stats& row, const Stats& a_max) {
  if (row.watched_cpu_us.size() != flags.server_pids.size() + (flags.balancer_pid != 0 ? 1 : 0)) return;
  double servers = 0;
  for (size_t i = 0; i < flags.server_pids.size(); ++i) servers += row.watched_cpu_us[i];
  const double balancer = flags.balancer_pid != 0 ? row.watched_cpu_us.back() : 0.0;
  const double cores = std::max(1u, std::thread::hardware_concurrency());
  const double total = servers + balancer + row.cpu_us;
  const double bound = cores * 1e6 / (a_max.cpu_us + balancer + row.cpu_us);
  std::printf("%-18s   CPU per request: servers %.0f us (inference in (a) %.0f), balancer %.0f, load generator "
              "%.0f; total %.0f us = %.0f req/s on %.0f cores; servers costing only the inference: %.0f req/s "
              "(%.2f of (a))\n",
              "", servers, a_max.cpu_us, balancer, row.cpu_us, total, cores * 1e6 / total, cores, bound,
              a_max.per_second > 0 ? bound / a_max.per_second : 0.0);
}

// (d): the in-process server with engine memory on a fresh simulated EPC host. "under": default
// capacity; records the resident working set. "over": capacity 60% of that working set.
bool EpcRows(const std::filesystem::path& repository, const std::string& name, const std::vector<uint8_t>& key,
             const Flags& flags, const net::testing::TestPki& pki, const net::HttpRequest& request, const Stats& a1,
             const Stats& a_max, bool over, uint64_t* working_set_pages) {
  const std::string host_id = "serving-bench-" + std::to_string(getpid()) + (over ? "-over" : "-under");
  const uint64_t capacity =
      over ? std::max<uint64_t>(16, *working_set_pages * 6 / 10) : tee::epc::kDefaultCapacityPages;
  (void)tee::epc::EpcHost::Remove(host_id);
  if (!tee::epc::EpcHost::Create(host_id, capacity).ok()) return false;
  tee::epc::EpcHostOptions host_options;  // the default modelled page cost
  host_options.enclave_name = "serving-bench";
  bool ok = true;
  {
    auto host = tee::epc::EpcHost::Attach(host_id, host_options);
    auto memory = host.ok() ? EpcEngineAllocator::Create(host.value()) : Result<std::unique_ptr<EpcEngineAllocator>>(host.status());
    if (!memory.ok()) {
      std::fprintf(stderr, "EPC host %s: %s\n", host_id.c_str(), memory.status().ToString().c_str());
      ok = false;
    } else {
      auto server = StartServer(repository, name, key, flags, pki, memory.value().get());
      ok = server != nullptr;
      const std::string label = std::string("(d) epc ") + (over ? "over" : "under") + " binary";
      for (size_t clients : {1, 4}) {
        if (!ok) break;
        auto before = tee::epc::ReadHostSnapshot(host_id);
        const uint64_t t0 = MonotonicNanos();
        const Stats d = OverHttps("127.0.0.1", server->server->port(), pki.ca.certificate_pem, request, clients,
                                  flags.seconds);
        auto after = tee::epc::ReadHostSnapshot(host_id);
        PrintRow(name, label, clients, d, a1, a_max);
        if (before.ok() && after.ok()) {
          auto rates = cluster::ComputePagingRates(cluster::PagingSampleFromSnapshot(before.value(), t0),
                                                   cluster::PagingSampleFromSnapshot(after.value(), MonotonicNanos()));
          const uint64_t resident = memory.value()->region_stats().resident_pages;
          if (!over) *working_set_pages = std::max(*working_set_pages, resident);
          std::printf("%-18s   host capacity %.1f MiB, engine resident %.1f MiB, paging %.0f pages/s\n", "",
                      static_cast<double>(capacity * tee::epc::kEpcPageSize) / (1 << 20),
                      static_cast<double>(resident * tee::epc::kEpcPageSize) / (1 << 20),
                      rates.ok() ? rates.value().host.total_per_second() : -1.0);
        }
        std::fflush(stdout);
      }
    }
  }
  (void)tee::epc::EpcHost::Remove(host_id);
  return ok;
}

int Run(const Flags& flags) {
  const auto pki = net::testing::MakeTestPki("s3ml bench");
  const auto repository = std::filesystem::path(S3ML_BINARY_DIR) / "tmp" / ("serving_bench_" + std::to_string(getpid()));
  std::filesystem::remove_all(repository);
  std::vector<uint8_t> key(32, 0x42);

  std::printf("serving_bench: %.1f s per row, %zu workers, %d engine thread(s) per inference\n", flags.seconds,
              flags.workers, flags.engine_threads);
  std::printf("%-18s %-22s %7s %9s %9s %10s %10s %9s %7s %8s %8s %8s %6s\n", "model", "path", "clients", "p50_ms",
              "p99_ms", "req/s", "p50-a_ms", "thr/a_max", "errors", "cpu_us", "srv_us", "srv-a_us", "csw");

  for (const BenchModel& bench : kModels) {
    if (!flags.model.empty() && flags.model != bench.name) continue;
    auto plaintext = ReadFileBytes(Testdata(bench.file));
    if (!plaintext.ok()) {
      std::fprintf(stderr, "%s: %s\n", bench.file, plaintext.status().ToString().c_str());
      return 1;
    }
    engine::LoadOptions load;
    load.threads = flags.engine_threads;
    auto model = engine::Model::Load(plaintext.value(), load);
    if (!model.ok()) return 1;
    const engine::TensorInfo input = model.value()->inputs()[0];
    auto tensor = client::LoadInputTensor(Testdata("coral/cat.bmp"), input, client::PixelNormalization{});
    if (!tensor.ok()) return 1;

    const Stats a1 = EngineInProcess(*model.value(), tensor.value(), 1, flags.seconds);
    const Stats a_max = EngineInProcess(*model.value(), tensor.value(), flags.workers, flags.seconds);
    PrintRow(bench.name, "(a) engine", 1, a1, a1, a_max);
    PrintRow(bench.name, "(a) engine", flags.workers, a_max, a1, a_max);

    std::string host = "127.0.0.1", root_pem = pki.ca.certificate_pem;
    uint16_t port = 0;
    std::unique_ptr<InProcessServer> server;
    std::string label = "(b) https";
    if (flags.target.empty()) {
      const auto dir = repository / bench.name / "1";
      std::filesystem::create_directories(dir);
      auto encrypted = client::EncryptModel(key, bench.name, 1, plaintext.value());
      if (!encrypted.ok() || !WriteFileAtomic((dir / "model.tflite.s3ml").string(), encrypted.value()).ok()) return 1;
      server = StartServer(repository, bench.name, key, flags, pki, nullptr);
      if (!server) return 1;
      port = server->server->port();
    } else {
      // https://HOST:PORT
      std::string rest = flags.target.substr(flags.target.find("://") + 3);
      if (!rest.empty() && rest.back() == '/') rest.pop_back();
      host = rest.substr(0, rest.rfind(':'));
      port = static_cast<uint16_t>(std::stoi(rest.substr(rest.rfind(':') + 1)));
      auto pem = ReadFileText(flags.cacert);
      if (!pem.ok()) return 1;
      root_pem = pem.value();
      label = "(c) target";
    }
    std::vector<pid_t> watched = flags.server_pids;
    if (flags.balancer_pid != 0) watched.push_back(flags.balancer_pid);
    for (const bool binary : {false, true}) {
      if (flags.binary_only && !binary) continue;
      const net::HttpRequest request = binary ? BinaryRequest(bench.name, input.name, input.shape, tensor.value())
                                              : JsonRequest(bench.name, input.name, input.shape, tensor.value());
      for (size_t clients : {1, 4, 16}) {
        if (flags.clients != 0 && clients != flags.clients) continue;
        const Stats b = OverHttps(host, port, root_pem, request, clients, flags.seconds, watched);
        PrintRow(bench.name, label + (binary ? " binary" : " json"), clients, b, a1, a_max);
        if (!watched.empty()) PrintCpuBudget(flags, b, a_max);
        std::fflush(stdout);
      }
    }
    server.reset();
    if (flags.epc && flags.target.empty()) {
      const net::HttpRequest request = BinaryRequest(bench.name, input.name, input.shape, tensor.value());
      uint64_t working_set_pages = 0;
      for (const bool over : {false, true}) {
        if (!EpcRows(repository, bench.name, key, flags, pki, request, a1, a_max, over, &working_set_pages)) return 1;
      }
    }
  }
  std::filesystem::remove_all(repository);
  return 0;
}

}  // namespace
}  // namespace s3ml::serving

int main(int argc, char** argv) {
  s3ml::serving::Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--seconds" && has_value) {
      flags.seconds = std::stod(argv[++i]);
    } else if (arg == "--workers" && has_value) {
      flags.workers = std::stoul(argv[++i]);
    } else if (arg == "--engine-threads" && has_value) {
      flags.engine_threads = std::stoi(argv[++i]);
    } else if (arg == "--no-epc") {
      flags.epc = false;
    } else if (arg == "--model" && has_value) {
      flags.model = argv[++i];
    } else if (arg == "--io-threads" && has_value) {
      flags.io_threads = std::stoi(argv[++i]);
    } else if (arg == "--binary-only") {
      flags.binary_only = true;
    } else if (arg == "--clients" && has_value) {
      flags.clients = std::stoul(argv[++i]);
    } else if (arg == "--target" && has_value) {
      flags.target = argv[++i];
    } else if (arg == "--cacert" && has_value) {
      flags.cacert = argv[++i];
    } else if (arg == "--server-pid" && has_value) {
      flags.server_pids.push_back(static_cast<pid_t>(std::stol(argv[++i])));
    } else if (arg == "--balancer-pid" && has_value) {
      flags.balancer_pid = static_cast<pid_t>(std::stol(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: serving_bench [--seconds S] [--workers N] [--engine-threads N] "
                           "[--no-epc] [--model NAME] [--binary-only] [--clients N] [--io-threads N] "
                           "[--target https://HOST:PORT --cacert ROOT.pem [--server-pid PID]... "
                           "[--balancer-pid PID]]\n");
      return 2;
    }
  }
  if (flags.target.empty() != flags.cacert.empty()) {
    std::fprintf(stderr, "serving_bench: --target and --cacert go together\n");
    return 2;
  }
  if (flags.target.empty() && (!flags.server_pids.empty() || flags.balancer_pid != 0)) {
    std::fprintf(stderr, "serving_bench: --server-pid and --balancer-pid need --target\n");
    return 2;
  }
  return s3ml::serving::Run(flags);
}
