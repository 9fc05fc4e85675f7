// net_bench: HTTP(S) costs on loopback with s3ml's own server and client.
//   keep-alive latency: median/p99 of one small request on an established TLS 1.3 connection
//                       (and on plaintext, as the baseline measured in the same process)
//   handshake:          median of connect + TLS 1.3 handshake (ECDSA P-256) + one request
//   throughput:         requests/s with 4 and 16 concurrent keep-alive TLS clients
// Prints a summary after Google Benchmark's table.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>
#include <vector>

#include "net/http_client.h"
#include "net/http_server.h"
#include "tests/net/test_certificates.h"
#include "tests/net/test_tls.h"

namespace s3ml::net {
namespace {

using Clock = std::chrono::steady_clock;

struct Fixture {
  Fixture() : pki(testing::MakeTestPki("bench")) {
    testing::TestTlsContexts tls = testing::MakeTestTlsContexts(pki);
    client = tls.client;
    tls_server = Start(tls.server);
    plain_server = Start(nullptr);
  }

  static std::unique_ptr<HttpServer> Start(std::shared_ptr<const TlsContext> tls) {
    Router router;
    (void)router.Add("GET", "/ping", [](HttpRequest, HttpResponder respond) {
      respond(HttpResponse::Json(200, "{\"ok\":true}"));
    });
    HttpServerOptions o;
    o.io_threads = 2;
    o.tls = std::move(tls);
    auto server = std::make_unique<HttpServer>(o, std::move(router));
    Status s = server->Start();
    if (!s.ok()) {
      std::fprintf(stderr, "server failed: %s\n", s.ToString().c_str());
      std::abort();
    }
    return server;
  }

  HttpClientOptions ClientOptions(bool tls) const {
    HttpClientOptions o;
    if (tls) o.tls = client;
    return o;
  }
  uint16_t Port(bool tls) const { return tls ? tls_server->port() : plain_server->port(); }

  testing::TestPki pki;
  std::shared_ptr<const TlsContext> client;
  std::unique_ptr<HttpServer> tls_server;
  std::unique_ptr<HttpServer> plain_server;
};

Fixture& Get() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

std::map<std::string, double>& Summary() {
  static auto* summary = new std::map<std::string, double>();
  return *summary;
}

double Percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

void Check(const Result<HttpResponse>& r, benchmark::State& state) {
  if (!r.ok() || r->status != 200) state.SkipWithError(r.ok() ? "bad status" : r.status().ToString().c_str());
}

void KeepAliveLatency(benchmark::State& state, bool tls) {
  Fixture& f = Get();
  HttpClient client("127.0.0.1", f.Port(tls), f.ClientOptions(tls));
  for (int i = 0; i < 50; ++i) Check(client.Get("/ping"), state);  // connect + warm up
  std::vector<double> us;
  for (auto _ : state) {
    auto start = Clock::now();
    auto r = client.Get("/ping");
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    Check(r, state);
  }
  state.counters["median_us"] = Percentile(us, 0.5);
  state.counters["p99_us"] = Percentile(us, 0.99);
  state.counters["connections"] = static_cast<double>(client.connections_opened());
  Summary()[tls ? "keepalive_tls_median_us" : "keepalive_plain_median_us"] = Percentile(us, 0.5);
  Summary()[tls ? "keepalive_tls_p99_us" : "keepalive_plain_p99_us"] = Percentile(us, 0.99);
}

void BM_KeepAliveTls(benchmark::State& state) { KeepAliveLatency(state, true); }
void BM_KeepAlivePlain(benchmark::State& state) { KeepAliveLatency(state, false); }

void BM_HandshakeAndRequestTls(benchmark::State& state) {
  Fixture& f = Get();
  std::vector<double> us;
  for (auto _ : state) {
    auto start = Clock::now();
    HttpClient client("127.0.0.1", f.Port(true), f.ClientOptions(true));
    auto r = client.Get("/ping");
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    Check(r, state);
  }
  state.counters["median_us"] = Percentile(us, 0.5);
  state.counters["p99_us"] = Percentile(us, 0.99);
  Summary()["handshake_and_request_tls_median_us"] = Percentile(us, 0.5);
}

// One iteration = every client sends `kPerClient` requests on its own keep-alive connection.
void BM_ConcurrentKeepAliveTls(benchmark::State& state) {
  Fixture& f = Get();
  const int clients = static_cast<int>(state.range(0));
  constexpr int kPerClient = 500;
  double best_rps = 0;
  for (auto _ : state) {
    std::atomic<int> failures{0};
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&] {
        HttpClient client("127.0.0.1", f.Port(true), f.ClientOptions(true));
        if (!client.Get("/ping").ok()) ++failures;  // handshake outside the timed part
        ++ready;
        while (!go.load()) std::this_thread::yield();
        for (int i = 0; i < kPerClient; ++i) {
          auto r = client.Get("/ping");
          if (!r.ok() || r->status != 200) ++failures;
        }
      });
    }
    while (ready.load() < clients) std::this_thread::yield();
    auto start = Clock::now();
    go = true;
    for (auto& t : threads) t.join();
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    state.SetIterationTime(seconds);
    if (failures.load() > 0) state.SkipWithError("requests failed");
    best_rps = std::max(best_rps, clients * kPerClient / seconds);
  }
  state.counters["req_per_s"] = best_rps;
  Summary()["concurrent_" + std::to_string(clients) + "_tls_req_per_s"] = best_rps;
}

BENCHMARK(BM_KeepAlivePlain)->Iterations(3000)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_KeepAliveTls)->Iterations(3000)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HandshakeAndRequestTls)->Iterations(300)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ConcurrentKeepAliveTls)->Arg(4)->Arg(16)->Iterations(3)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace s3ml::net

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  auto& s = s3ml::net::Summary();
  std::printf("\nnet_bench summary (loopback, 2 server IO threads)\n");
  for (const auto& [name, value] : s) std::printf("  %-40s %12.1f\n", name.c_str(), value);
  if (s.count("keepalive_tls_median_us") && s.count("keepalive_plain_median_us") && s["keepalive_plain_median_us"] > 0) {
    std::printf("  %-40s %12.2f\n", "tls/plain keep-alive latency ratio",
                s["keepalive_tls_median_us"] / s["keepalive_plain_median_us"]);
  }
  return 0;
}
