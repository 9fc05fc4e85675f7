// LoadGenerator: an open-loop inference load at a scheduled request rate, for the SLO benchmarks
// (`s3ml bench epc-slo`, `s3ml bench slo`).
//
// Open loop: request i has a scheduled send time fixed in advance (constant spacing, or Poisson
// arrivals from a seeded generator) from the rate of the phase it falls in; its latency is
// measured from that scheduled time to its answer. A request that waits because every connection
// is busy is therefore counted with its wait (no coordinated omission: a slow server cannot slow
// the offered load down and hide its own queueing).
//
// `connections` worker threads each own one InferenceClient (one keep-alive TLS connection) and
// take the next scheduled request. A connection is closed and opened again after
// `requests_per_connection` requests: an L4 load balancer such as HAProxy in `mode tcp` balances
// connections, not requests, so clients that reconnect now and then are what lets weight changes
// and added or drained servers take effect (real clients recycle connections the same way).
// A request is one v2 infer call (client/v2_tensor.h), encoded once for the whole run. It is ok
// when the answer is 200 with a well-formed v2 infer response. Failures (transport errors, HTTP
// errors, 5xx after the client's retries, malformed answers) are recorded, not fatal.
#ifndef S3ML_CLUSTER_LOAD_GENERATOR_H_
#define S3ML_CLUSTER_LOAD_GENERATOR_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "client/inference_client.h"
#include "client/v2_tensor.h"
#include "core/status.h"

namespace s3ml::cluster {

struct LoadPhase {
  double seconds = 0;              // > 0
  double requests_per_second = 0;  // >= 0 (0: a quiet phase)
};

struct LoadGeneratorOptions {
  client::InferenceClientOptions client;  // endpoints, pinned root, timeouts, retries
  std::string model;
  std::string version;                    // "" = the server's choice
  client::V2InferCall call;               // sent as is by every request
  std::vector<LoadPhase> schedule;        // run one after the other
  size_t connections = 16;                // worker threads, 1..1024
  // Reconnect after this many (0 = never); replaces client.max_requests_per_connection.
  uint32_t requests_per_connection = 20;
  bool poisson = true;                    // exponential gaps; false: constant spacing
  uint64_t seed = 1;
};

struct RequestRecord {
  double scheduled_seconds = 0;  // since the run's start
  double latency_ms = 0;         // scheduled time to answer (or to failure)
  bool ok = false;
};

struct LoadRun {
  std::vector<RequestRecord> records;  // in scheduled order; requests not sent by a stop are absent
  double seconds = 0;                  // wall time of the run
  uint64_t connections_opened = 0;
  uint64_t retries = 0;
  std::string first_error;             // the first failure's message, "" if none
};

// InvalidArgument for an empty schedule, a phase with non-positive or non-finite seconds or a
// negative or non-finite rate, a schedule of more than kMaxScheduledRequests requests,
// connections outside 1..1024, invalid client options, a model name or version that cannot be a
// path segment, or a call that does not encode. Setting `*stop` ends the run early (requests
// already sent are awaited; waiting ones are dropped within a few milliseconds).
inline constexpr size_t kMaxScheduledRequests = 10'000'000;
Result<LoadRun> RunLoad(const LoadGeneratorOptions& options, const std::atomic<bool>* stop = nullptr);

struct LatencyStats {
  size_t requests = 0;
  size_t errors = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  double within_slo = 0;  // fraction of requests answered ok within slo_ms (failures count as misses)
};

// Over the records scheduled in [from_seconds, to_seconds). Percentiles by nearest rank over all
// requests (a failure counts as +infinity latency); all zero when there are none.
LatencyStats SummarizeLatency(const std::vector<RequestRecord>& records, double slo_ms, double from_seconds = 0,
                              double to_seconds = 1e300);

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_LOAD_GENERATOR_H_
