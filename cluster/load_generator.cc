#include "cluster/load_generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <latch>
#include <limits>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "net/http_request.h"

namespace s3ml::cluster {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kMaxConnections = 1024;

Status ValidateSchedule(const std::vector<LoadPhase>& schedule) {
  if (schedule.empty()) return InvalidArgument("load schedule has no phase");
  double expected = 0;
  for (size_t i = 0; i < schedule.size(); ++i) {
    const LoadPhase& phase = schedule[i];
    const std::string name = "load phase " + std::to_string(i);
    if (!std::isfinite(phase.seconds) || phase.seconds <= 0) {
      return InvalidArgument(name + ": seconds must be finite and > 0, got " + std::to_string(phase.seconds));
    }
    if (!std::isfinite(phase.requests_per_second) || phase.requests_per_second < 0) {
      return InvalidArgument(name + ": requests_per_second must be finite and >= 0, got " +
                             std::to_string(phase.requests_per_second));
    }
    expected += phase.seconds * phase.requests_per_second;
  }
  // Poisson counts scatter around the mean by a few sqrt(mean); the exact count is capped again
  // while the schedule is built.
  if (!(expected <= static_cast<double>(kMaxScheduledRequests))) {
    return InvalidArgument("load schedule asks for about " + std::to_string(static_cast<uint64_t>(expected)) +
                           " requests, more than " + std::to_string(kMaxScheduledRequests));
  }
  return Status::Ok();
}

// Send times in seconds since the start, ascending. Poisson phases restart their arrival process
// at the phase boundary, which is exact for a piecewise constant rate (exponential gaps are
// memoryless).
Result<std::vector<double>> BuildSchedule(const std::vector<LoadPhase>& schedule, bool poisson, uint64_t seed) {
  std::vector<double> times;
  std::mt19937_64 random(seed);
  double phase_start = 0;
  for (const LoadPhase& phase : schedule) {
    const double rate = phase.requests_per_second;
    const double phase_end = phase_start + phase.seconds;
    if (rate > 0 && poisson) {
      std::exponential_distribution<double> gap(rate);
      for (double t = phase_start + gap(random); t < phase_end; t += gap(random)) {
        if (times.size() >= kMaxScheduledRequests) {
          return InvalidArgument("load schedule has more than " + std::to_string(kMaxScheduledRequests) + " requests");
        }
        times.push_back(t);
      }
    } else if (rate > 0) {
      // ceil(seconds x rate) requests at k / rate; the tolerance keeps 0.3 s x 10/s at 3, not 4.
      const double exact = phase.seconds * rate;
      const auto count = static_cast<uint64_t>(std::ceil(exact - 1e-9 * std::max(1.0, exact)));
      for (uint64_t k = 0; k < count; ++k) times.push_back(phase_start + static_cast<double>(k) / rate);
    }
    phase_start = phase_end;
  }
  return times;
}

// State shared by the workers of one run.
class Run {
 public:
  Run(const net::HttpRequest& request, std::vector<double> times)
      : request_(request), times_(std::move(times)), records_(times_.size()), sent_(times_.size(), 0) {}

  // Releases the workers: request i is due at start + times[i].
  void Start(SteadyClock::time_point start) { start_ = start; }

  void Work(client::InferenceClient& client) {
    for (;;) {
      const size_t i = next_.fetch_add(1);
      if (i >= times_.size()) return;
      const auto due = start_ + std::chrono::duration_cast<SteadyClock::duration>(
                                    std::chrono::duration<double>(times_[i]));
      {
        std::unique_lock lock(mutex_);
        if (stop_wakeup_.wait_until(lock, due, [this] { return stopping_; })) return;
      }
      Status status = Send(client);
      const double latency_ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - due).count();
      records_[i] = RequestRecord{times_[i], latency_ms, status.ok()};
      sent_[i] = 1;
      if (!status.ok()) NoteFailure(i, status);
    }
  }

  // Wakes the workers waiting for a due time; they take no further request.
  void Stop() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    stop_wakeup_.notify_all();
  }

  void TakeResults(LoadRun* run) {
    run->records.reserve(records_.size());
    for (size_t i = 0; i < records_.size(); ++i) {
      if (sent_[i]) run->records.push_back(records_[i]);
    }
    std::lock_guard lock(mutex_);
    run->first_error = first_error_;
  }

 private:
  Status Send(client::InferenceClient& client) {
    auto response = client.Send(request_);
    if (!response.ok()) return response.status();
    return client::DecodeV2InferAnswer(request_, *response).status();
  }

  // Keeps the failure of the earliest scheduled request, whichever worker saw it first.
  void NoteFailure(size_t index, const Status& status) {
    std::lock_guard lock(mutex_);
    if (index < first_error_index_) {
      first_error_index_ = index;
      first_error_ = status.ToString();
    }
  }

  const net::HttpRequest& request_;
  const std::vector<double> times_;
  SteadyClock::time_point start_;
  std::atomic<size_t> next_{0};
  // Each slot is written by the one worker that took its index, read after the workers joined.
  std::vector<RequestRecord> records_;
  std::vector<char> sent_;

  std::mutex mutex_;
  std::condition_variable stop_wakeup_;
  bool stopping_ = false;
  size_t first_error_index_ = std::numeric_limits<size_t>::max();
  std::string first_error_;
};

}  // namespace

Result<LoadRun> RunLoad(const LoadGeneratorOptions& options, const std::atomic<bool>* stop) {
  S3ML_RETURN_IF_ERROR(ValidateSchedule(options.schedule));
  if (options.connections < 1 || options.connections > kMaxConnections) {
    return InvalidArgument("load generator: connections must be 1.." + std::to_string(kMaxConnections) + ", got " +
                           std::to_string(options.connections));
  }
  // One encoding for the whole run: a large input is copied once per request (into the HTTP
  // message), not encoded again.
  auto request = client::MakeV2InferRequest(options.model, options.version, options.call);
  if (!request.ok()) return request.status().WithContext("load generator");

  client::InferenceClientOptions client_options = options.client;
  client_options.max_requests_per_connection = options.requests_per_connection;
  std::vector<std::unique_ptr<client::InferenceClient>> clients;
  clients.reserve(options.connections);
  for (size_t i = 0; i < options.connections; ++i) {
    auto created = client::InferenceClient::Create(client_options);
    if (!created.ok()) return created.status().WithContext("load generator");
    clients.push_back(std::move(created).value());
  }

  S3ML_ASSIGN_OR_RETURN(std::vector<double> times, BuildSchedule(options.schedule, options.poisson, options.seed));
  Run run(*request, std::move(times));

  // The clock starts once every worker exists, so thread start-up is not charged to the first
  // requests.
  std::latch ready(static_cast<std::ptrdiff_t>(clients.size()) + 1);
  std::mutex done_mutex;
  std::condition_variable done_wakeup;
  size_t running = clients.size();
  std::vector<std::thread> workers;
  workers.reserve(clients.size());
  for (auto& client : clients) {
    workers.emplace_back([&, c = client.get()] {
      ready.arrive_and_wait();
      run.Work(*c);
      std::lock_guard lock(done_mutex);
      if (--running == 0) done_wakeup.notify_all();
    });
  }
  const auto start = SteadyClock::now();
  run.Start(start);
  if (stop != nullptr && stop->load()) run.Stop();
  ready.arrive_and_wait();
  {
    // Polls `*stop` (an atomic the caller sets, e.g. from a signal handler) while the workers run.
    std::unique_lock lock(done_mutex);
    bool stopped = false;
    while (running > 0) {
      done_wakeup.wait_for(lock, std::chrono::milliseconds(10));
      if (!stopped && stop != nullptr && stop->load()) {
        stopped = true;
        run.Stop();
      }
    }
  }
  for (auto& worker : workers) worker.join();

  LoadRun result;
  result.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  run.TakeResults(&result);
  for (const auto& client : clients) {
    const client::InferenceClientStats stats = client->stats();
    result.connections_opened += stats.connections_opened;
    result.retries += stats.retries;
  }
  return result;
}

LatencyStats SummarizeLatency(const std::vector<RequestRecord>& records, double slo_ms, double from_seconds,
                              double to_seconds) {
  LatencyStats stats;
  std::vector<double> latencies;
  size_t within = 0;
  for (const RequestRecord& r : records) {
    if (r.scheduled_seconds < from_seconds || r.scheduled_seconds >= to_seconds) continue;
    if (!r.ok) ++stats.errors;
    if (r.ok && r.latency_ms <= slo_ms) ++within;
    latencies.push_back(r.ok ? r.latency_ms : std::numeric_limits<double>::infinity());
  }
  stats.requests = latencies.size();
  if (latencies.empty()) return stats;
  std::sort(latencies.begin(), latencies.end());
  // Nearest rank: the smallest latency with at least p% of the requests at or below it, rank
  // ceil(p x n / 100) in integers (0.9 x 10 in doubles is a hair above 9).
  auto percentile = [&](size_t p) {
    const size_t rank = (p * latencies.size() + 99) / 100;
    return latencies[std::max<size_t>(rank, 1) - 1];
  };
  stats.p50_ms = percentile(50);
  stats.p90_ms = percentile(90);
  stats.p99_ms = percentile(99);
  stats.max_ms = latencies.back();
  stats.within_slo = static_cast<double>(within) / static_cast<double>(stats.requests);
  return stats;
}

}  // namespace s3ml::cluster
