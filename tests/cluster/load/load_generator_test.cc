// The load generator (cluster/load_generator.h) against an in-process HTTPS server on loopback.
// CannedModelServer replaces s3ml-server (and HAProxy in front of it): it checks that each infer
// request is a well-formed v2 binary request and answers a canned valid v2 response, optionally
// after a delay or with an error, and counts the connections it accepted.
#include "cluster/load_generator.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "net/http_server.h"
#include "net/router.h"
#include "tests/net/dead_url.h"
#include "tests/net/test_certificates.h"

namespace s3ml::cluster {
namespace {

using net::testing::MakeTestPki;
using net::testing::TestPki;

const TestPki& Pki() {
  static const TestPki pki = MakeTestPki("s3ml load generator test");
  return pki;
}

enum class Behaviour { kServe, kServerError, kMalformed };

// A valid v2 infer answer: one FP32 [1,2] output, in binary.
net::HttpResponse CannedAnswer() {
  nlohmann::json reply = {{"model_name", "m"},
                          {"model_version", "1"},
                          {"outputs",
                           {{{"name", "scores"},
                             {"datatype", "FP32"},
                             {"shape", {1, 2}},
                             {"parameters", {{"binary_data_size", 8}}}}}}};
  const std::string header = reply.dump();
  const float scores[2] = {0.25f, 0.75f};
  net::HttpResponse r;
  r.status = 200;
  r.headers.Set("Inference-Header-Content-Length", std::to_string(header.size()));
  r.headers.Set("Content-Type", "application/octet-stream");
  r.body = header + std::string(reinterpret_cast<const char*>(scores), sizeof(scores));
  return r;
}

// 400 unless the request is a v2 binary infer whose one input carries exactly its bytes.
std::optional<net::HttpResponse> CheckRequest(const net::HttpRequest& request) {
  auto length = request.headers.Get("Inference-Header-Content-Length");
  if (!length) return net::HttpResponse::Error(400, "no Inference-Header-Content-Length");
  const size_t header_size = std::stoul(std::string(*length));
  if (header_size > request.body.size()) return net::HttpResponse::Error(400, "header longer than body");
  auto header = nlohmann::json::parse(request.body.substr(0, header_size), nullptr, false);
  if (!header.is_object() || !header["inputs"].is_array() || header["inputs"].size() != 1) {
    return net::HttpResponse::Error(400, "expected one input");
  }
  const auto parameters = header["inputs"][0].value("parameters", nlohmann::json::object());
  const auto binary_size = parameters.is_object() ? parameters.value("binary_data_size", uint64_t{0}) : 0;
  if (binary_size != request.body.size() - header_size) return net::HttpResponse::Error(400, "binary size mismatch");
  return std::nullopt;
}

class CannedModelServer {
 public:
  explicit CannedModelServer(Behaviour behaviour, std::chrono::milliseconds delay = std::chrono::milliseconds(0))
      : behaviour_(behaviour), delay_(delay) {
    net::Router router;
    EXPECT_TRUE(router
                    .Add("POST", "/v2/models/m/infer",
                         [this](net::HttpRequest request, net::HttpResponder respond) {
                           Answer(std::move(request), std::move(respond));
                         })
                    .ok());
    net::TlsServerOptions tls;
    tls.certificate_chain_pem = Pki().server.certificate_pem;
    tls.private_key_pem = Pki().server.private_key_pem;
    net::HttpServerOptions options;
    options.tls = net::TlsContext::CreateServer(tls).value();
    options.io_threads = 2;
    server_ = std::make_unique<net::HttpServer>(options, std::move(router));
    EXPECT_TRUE(server_->Start().ok());
  }
  ~CannedModelServer() {
    std::vector<std::thread> delayed;
    {
      std::lock_guard lock(mutex_);
      delayed.swap(delayed_);
    }
    for (auto& t : delayed) t.join();
    server_->Shutdown(std::chrono::milliseconds(0));
  }

  std::string url() const { return "https://127.0.0.1:" + std::to_string(server_->port()); }
  int requests() const { return requests_; }
  uint64_t connections_accepted() const { return server_->stats().connections_accepted; }

 private:
  void Answer(net::HttpRequest request, net::HttpResponder respond) {
    ++requests_;
    net::HttpResponse response = CannedAnswer();
    if (auto bad = CheckRequest(request)) {
      response = *bad;
    } else if (behaviour_ == Behaviour::kServerError) {
      response = net::HttpResponse::Error(500, "model crashed");
    } else if (behaviour_ == Behaviour::kMalformed) {
      response = net::HttpResponse::Json(200, R"({"outputs": "not a list"})");
    }
    if (delay_.count() == 0) return respond(std::move(response));
    // Handlers must not block the IO threads: a slow model answers from another thread.
    std::lock_guard lock(mutex_);
    delayed_.emplace_back([delay = delay_, respond = std::move(respond), response = std::move(response)]() mutable {
      std::this_thread::sleep_for(delay);
      respond(std::move(response));
    });
  }

  const Behaviour behaviour_;
  const std::chrono::milliseconds delay_;
  std::unique_ptr<net::HttpServer> server_;
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  std::vector<std::thread> delayed_;
};

std::string DeadUrl() { return net::testing::DeadHttpsUrl(); }

LoadGeneratorOptions Options(const std::string& url, std::vector<LoadPhase> schedule) {
  LoadGeneratorOptions o;
  o.client.endpoints = {url};
  o.client.root_ca_pem = Pki().ca.certificate_pem;
  o.client.connect_timeout = std::chrono::milliseconds(2000);
  o.client.request_timeout = std::chrono::milliseconds(5000);
  o.client.retry_delay = std::chrono::milliseconds(0);
  o.model = "m";
  o.call.inputs.push_back({"input", "UINT8", {1, 4}, {1, 2, 3, 4}});
  o.schedule = std::move(schedule);
  o.connections = 4;
  return o;
}

size_t CountOk(const LoadRun& run) {
  size_t n = 0;
  for (const auto& r : run.records) n += r.ok ? 1 : 0;
  return n;
}

TEST(LoadGeneratorTest, PoissonArrivalsMatchRateTimesSeconds) {
  CannedModelServer server(Behaviour::kServe);
  LoadGeneratorOptions o = Options(server.url(), {{1.0, 200}});
  o.seed = 7;
  auto run = RunLoad(o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  // Poisson count: mean 200, standard deviation ~14; 5 sigma either way.
  EXPECT_GT(run->records.size(), 130u);
  EXPECT_LT(run->records.size(), 270u);
  EXPECT_EQ(CountOk(*run), run->records.size()) << run->first_error;
  EXPECT_EQ(server.requests(), static_cast<int>(run->records.size()));
  EXPECT_EQ(run->first_error, "");
  double previous = 0;
  for (const auto& r : run->records) {
    EXPECT_GE(r.scheduled_seconds, previous);
    EXPECT_LT(r.scheduled_seconds, 1.0);
    EXPECT_GE(r.latency_ms, 0);
    previous = r.scheduled_seconds;
  }
  // Not evenly spaced: some gaps well under and well over the mean 5 ms.
  double min_gap = 1, max_gap = 0;
  for (size_t i = 1; i < run->records.size(); ++i) {
    const double gap = run->records[i].scheduled_seconds - run->records[i - 1].scheduled_seconds;
    min_gap = std::min(min_gap, gap);
    max_gap = std::max(max_gap, gap);
  }
  EXPECT_LT(min_gap, 0.002);
  EXPECT_GT(max_gap, 0.015);
  EXPECT_GE(run->seconds, 0.9);
  EXPECT_LT(run->seconds, 3.0);
}

TEST(LoadGeneratorTest, ConstantSpacingIsExactAndQuietPhasesSendNothing) {
  CannedModelServer server(Behaviour::kServe);
  LoadGeneratorOptions o = Options(server.url(), {{0.5, 40}, {0.25, 0}, {0.25, 40}});
  o.poisson = false;
  auto run = RunLoad(o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(run->records.size(), 30u);
  for (size_t k = 0; k < 20; ++k) EXPECT_NEAR(run->records[k].scheduled_seconds, k / 40.0, 1e-9);
  for (size_t k = 0; k < 10; ++k) EXPECT_NEAR(run->records[20 + k].scheduled_seconds, 0.75 + k / 40.0, 1e-9);
  EXPECT_EQ(CountOk(*run), 30u) << run->first_error;
  EXPECT_EQ(SummarizeLatency(run->records, 1000, 0.5, 0.75).requests, 0u);
  EXPECT_GE(run->seconds, 0.95);  // the last request is due at 0.975 s
}

TEST(LoadGeneratorTest, SameSeedSameSchedule) {
  CannedModelServer server(Behaviour::kServe);
  LoadGeneratorOptions o = Options(server.url(), {{0.2, 100}});
  o.seed = 42;
  auto a = RunLoad(o);
  auto b = RunLoad(o);
  o.seed = 43;
  auto c = RunLoad(o);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  auto times = [](const LoadRun& run) {
    std::vector<double> t;
    for (const auto& r : run.records) t.push_back(r.scheduled_seconds);
    return t;
  };
  EXPECT_EQ(times(*a), times(*b));
  EXPECT_NE(times(*a), times(*c));
}

TEST(LoadGeneratorTest, ConnectionsAreRecycledAfterRequestsPerConnection) {
  CannedModelServer server(Behaviour::kServe);
  LoadGeneratorOptions o = Options(server.url(), {{0.5, 100}});
  o.poisson = false;
  o.connections = 2;
  o.requests_per_connection = 5;
  auto run = RunLoad(o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(run->records.size(), 50u);
  EXPECT_EQ(CountOk(*run), 50u) << run->first_error;
  // 50 requests in fives over two workers: ceil(a/5) + ceil((50-a)/5) is 10 or 11 connections.
  EXPECT_GE(run->connections_opened, 10u);
  EXPECT_LE(run->connections_opened, 11u);
  EXPECT_EQ(server.connections_accepted(), run->connections_opened);
}

TEST(LoadGeneratorTest, NoRecyclingKeepsOneConnectionPerWorker) {
  CannedModelServer server(Behaviour::kServe);
  LoadGeneratorOptions o = Options(server.url(), {{0.2, 100}});
  o.poisson = false;
  o.connections = 2;
  o.requests_per_connection = 0;
  auto run = RunLoad(o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(CountOk(*run), 20u) << run->first_error;
  EXPECT_LE(run->connections_opened, 2u);
  EXPECT_EQ(server.connections_accepted(), run->connections_opened);
}

TEST(LoadGeneratorTest, LatencyIncludesQueueingBehindASlowServer) {
  // One connection, 50 ms per answer, a request every 25 ms: request k waits for the k before it
  // and is answered near (k + 1) x 50 ms, so its latency from its scheduled time is ~50 + 25k ms.
  CannedModelServer server(Behaviour::kServe, std::chrono::milliseconds(50));
  LoadGeneratorOptions o = Options(server.url(), {{1.0, 40}});
  o.poisson = false;
  o.connections = 1;
  o.requests_per_connection = 0;
  auto run = RunLoad(o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(run->records.size(), 40u);
  EXPECT_EQ(CountOk(*run), 40u) << run->first_error;
  EXPECT_GE(run->records.front().latency_ms, 50);
  EXPECT_LT(run->records.front().latency_ms, 500);
  EXPECT_GT(run->records.back().latency_ms, 800);  // ~1025 ms; a closed loop would report ~50
  EXPECT_GT(run->records.back().latency_ms, run->records[20].latency_ms);
  EXPECT_GT(run->records[20].latency_ms, run->records[1].latency_ms);
  EXPECT_GE(run->seconds, 1.9);
  const LatencyStats stats = SummarizeLatency(run->records, 100);
  EXPECT_EQ(stats.requests, 40u);
  EXPECT_GT(stats.p90_ms, 500);
  EXPECT_LT(stats.within_slo, 0.25);
}

TEST(LoadGeneratorTest, ServerErrorsAreRecordedNotRetried) {
  CannedModelServer server(Behaviour::kServerError);
  LoadGeneratorOptions o = Options(server.url(), {{0.2, 50}});
  o.poisson = false;
  auto run = RunLoad(o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(run->records.size(), 10u);
  EXPECT_EQ(CountOk(*run), 0u);
  EXPECT_EQ(server.requests(), 10);
  EXPECT_EQ(run->retries, 0u);
  EXPECT_NE(run->first_error.find("HTTP 500"), std::string::npos) << run->first_error;
  EXPECT_NE(run->first_error.find("model crashed"), std::string::npos) << run->first_error;
  EXPECT_EQ(SummarizeLatency(run->records, 1000).errors, 10u);
}

TEST(LoadGeneratorTest, MalformedAnswersAreFailures) {
  CannedModelServer server(Behaviour::kMalformed);
  LoadGeneratorOptions o = Options(server.url(), {{0.1, 50}});
  o.poisson = false;
  auto run = RunLoad(o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(run->records.size(), 5u);
  EXPECT_EQ(CountOk(*run), 0u);
  EXPECT_NE(run->first_error.find("malformed answer"), std::string::npos) << run->first_error;
}

TEST(LoadGeneratorTest, ServerDownIsRecordedPerRequest) {
  LoadGeneratorOptions o = Options(DeadUrl(), {{0.1, 50}});
  o.poisson = false;
  o.client.max_attempts = 2;
  auto run = RunLoad(o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(run->records.size(), 5u);
  EXPECT_EQ(CountOk(*run), 0u);
  EXPECT_EQ(run->retries, 5u);
  EXPECT_NE(run->first_error.find("cannot connect"), std::string::npos) << run->first_error;
  EXPECT_EQ(run->connections_opened, 0u);
}

TEST(LoadGeneratorTest, LargeInputArrivesIntact) {
  CannedModelServer server(Behaviour::kServe);
  LoadGeneratorOptions o = Options(server.url(), {{0.2, 50}});
  o.poisson = false;
  o.call.inputs[0] = {"input", "UINT8", {1, 224, 224, 3}, std::vector<uint8_t>(224 * 224 * 3, 7)};
  auto run = RunLoad(o);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_EQ(run->records.size(), 10u);
  EXPECT_EQ(CountOk(*run), 10u) << run->first_error;  // the server checks the binary size
}

TEST(LoadGeneratorTest, InvalidOptionsAreRejectedBeforeAnyRequest) {
  CannedModelServer server(Behaviour::kServe);
  auto rejected = [](const LoadGeneratorOptions& o) {
    auto run = RunLoad(o);
    if (run.ok()) return std::string("accepted");
    EXPECT_EQ(run.status().code(), StatusCode::kInvalidArgument) << run.status().ToString();
    return run.status().message();
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const LoadGeneratorOptions good = Options(server.url(), {{0.1, 10}});
  LoadGeneratorOptions o = good;
  o.schedule.clear();
  EXPECT_NE(rejected(o).find("no phase"), std::string::npos);
  for (double seconds : {0.0, -1.0, nan, inf}) {
    o = good;
    o.schedule.push_back({seconds, 10});
    EXPECT_NE(rejected(o).find("load phase 1: seconds"), std::string::npos) << seconds;
  }
  for (double rate : {-1.0, nan, inf}) {
    o = good;
    o.schedule[0].requests_per_second = rate;
    EXPECT_NE(rejected(o).find("requests_per_second"), std::string::npos) << rate;
  }
  o = good;
  o.schedule = {{100, 1e9}};
  EXPECT_NE(rejected(o).find("more than"), std::string::npos);
  for (size_t connections : {size_t{0}, size_t{1025}}) {
    o = good;
    o.connections = connections;
    EXPECT_NE(rejected(o).find("connections must be 1..1024"), std::string::npos) << connections;
  }
  o = good;
  o.client.endpoints.clear();
  EXPECT_NE(rejected(o).find("no endpoint"), std::string::npos);
  o = good;
  o.client.root_ca_pem = "not a PEM";
  EXPECT_NE(rejected(o), "accepted");
  o = good;
  o.model = "../admin";
  EXPECT_NE(rejected(o).find("model name"), std::string::npos);
  o = good;
  o.version = "1/2";
  EXPECT_NE(rejected(o).find("model version"), std::string::npos);
  o = good;
  o.call.inputs[0].shape = {1, 5};  // 4 bytes do not fill [1,5]
  EXPECT_NE(rejected(o).find("load generator"), std::string::npos);
  EXPECT_EQ(server.requests(), 0);
}

TEST(LoadGeneratorTest, StopEndsTheRunEarly) {
  CannedModelServer server(Behaviour::kServe);
  LoadGeneratorOptions o = Options(server.url(), {{10.0, 20}});
  o.poisson = false;
  std::atomic<bool> stop{false};
  std::thread stopper([&stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
  });
  auto run = RunLoad(o, &stop);
  stopper.join();
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_LT(run->seconds, 1.5);
  EXPECT_GE(run->records.size(), 3u);   // due at 0, 50, ..., before 300 ms
  EXPECT_LE(run->records.size(), 15u);  // not the 200 of the whole schedule
  EXPECT_EQ(CountOk(*run), run->records.size()) << run->first_error;
  EXPECT_EQ(server.requests(), static_cast<int>(run->records.size()));
}

TEST(LoadGeneratorTest, StopSetBeforehandSendsNothing) {
  CannedModelServer server(Behaviour::kServe);
  std::atomic<bool> stop{true};
  auto run = RunLoad(Options(server.url(), {{5.0, 20}}), &stop);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_TRUE(run->records.empty());
  EXPECT_LT(run->seconds, 0.5);
  EXPECT_EQ(server.requests(), 0);
}

TEST(SummarizeLatencyTest, NearestRankPercentilesOverHandMadeRecords) {
  std::vector<RequestRecord> records;
  for (int i = 1; i <= 10; ++i) records.push_back({0.1 * i, 10.0 * i, true});  // 10..100 ms
  const LatencyStats stats = SummarizeLatency(records, 50);
  EXPECT_EQ(stats.requests, 10u);
  EXPECT_EQ(stats.errors, 0u);
  EXPECT_DOUBLE_EQ(stats.p50_ms, 50);  // rank ceil(5) = 5
  EXPECT_DOUBLE_EQ(stats.p90_ms, 90);  // rank 9, not 10
  EXPECT_DOUBLE_EQ(stats.p99_ms, 100);  // rank ceil(9.9) = 10
  EXPECT_DOUBLE_EQ(stats.max_ms, 100);
  EXPECT_DOUBLE_EQ(stats.within_slo, 0.5);  // 10..50 ms, the SLO itself included
}

TEST(SummarizeLatencyTest, FailuresCountAsInfiniteLatencyAndMisses) {
  std::vector<RequestRecord> records;
  for (int i = 0; i < 8; ++i) records.push_back({0.0, 5.0, true});
  records.push_back({0.0, 1.0, false});  // a fast failure is still a miss
  records.push_back({0.0, 2.0, false});
  const LatencyStats stats = SummarizeLatency(records, 10);
  EXPECT_EQ(stats.requests, 10u);
  EXPECT_EQ(stats.errors, 2u);
  EXPECT_DOUBLE_EQ(stats.p50_ms, 5);
  EXPECT_DOUBLE_EQ(stats.p90_ms, std::numeric_limits<double>::infinity());
  EXPECT_DOUBLE_EQ(stats.max_ms, std::numeric_limits<double>::infinity());
  EXPECT_DOUBLE_EQ(stats.within_slo, 0.8);
}

TEST(SummarizeLatencyTest, WindowIsHalfOpenAndEmptyIsAllZero) {
  std::vector<RequestRecord> records = {{0.5, 1, true}, {1.0, 2, true}, {1.5, 3, true}, {2.0, 4, true}};
  const LatencyStats window = SummarizeLatency(records, 10, 1.0, 2.0);
  EXPECT_EQ(window.requests, 2u);
  EXPECT_DOUBLE_EQ(window.p50_ms, 2);
  EXPECT_DOUBLE_EQ(window.max_ms, 3);
  const LatencyStats empty = SummarizeLatency(records, 10, 3.0, 4.0);
  EXPECT_EQ(empty.requests, 0u);
  EXPECT_EQ(empty.errors, 0u);
  EXPECT_EQ(empty.p50_ms, 0);
  EXPECT_EQ(empty.max_ms, 0);
  EXPECT_EQ(empty.within_slo, 0);
  EXPECT_EQ(SummarizeLatency({}, 10).requests, 0u);
}

}  // namespace
}  // namespace s3ml::cluster
