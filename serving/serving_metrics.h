// ServingMetrics: the model server's Prometheus metrics, rendered in the text exposition format
// for the plaintext :9090 port.
//
// The port is outside the enclave's TLS, so label values come only from a fixed set: model and
// version of registered (loaded) model versions, protocol ("v2" | "v1"), outcome
// ("success" | "failure") and code (one of kReportedHttpCodes, others become "other").
// Observations for a model version that is not registered are counted with model="" and
// version="" (Prometheus drops empty labels), so a request naming an unknown model cannot
// create a series or put its text on the port. Thread-safe.
#ifndef S3ML_SERVING_SERVING_METRICS_H_
#define S3ML_SERVING_SERVING_METRICS_H_

#include <cstdint>
#include <set>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace s3ml::serving {

enum class Protocol { kV2, kV1 };
std::string_view ProtocolLabel(Protocol protocol);

inline constexpr int kReportedHttpCodes[] = {200, 400, 403, 404, 409, 413, 500, 503, 504};
// "200", ..., or "other" for codes outside kReportedHttpCodes.
std::string HttpCodeLabel(int http_code);

class ServingMetrics {
 public:
  ServingMetrics();

  // Makes model/version usable as label values; Unregister removes their series again.
  void RegisterModelVersion(std::string_view model, int64_t version);
  void UnregisterModelVersion(std::string_view model, int64_t version);

  // One finished request: its end-to-end duration and HTTP code (2xx counts as success).
  void ObserveRequest(std::string_view model, int64_t version, Protocol protocol, int http_code,
                      double seconds);
  void ObserveQueueTime(std::string_view model, int64_t version, Protocol protocol, double seconds);
  void ObserveComputeTime(std::string_view model, int64_t version, Protocol protocol, double seconds);

  void SetPendingRequests(std::string_view model, int64_t version, int64_t pending);
  void SetLoadedModels(int64_t count);
  void SetCertificateExpiry(int64_t unix_seconds);

  // The whole registry in the Prometheus text format (prometheus::TextSerializer).
  std::string RenderText() const;
  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

 private:
  struct Labels {
    std::string model;
    std::string version;
  };
  // model/version as label values, or empty ones when not registered. REQUIRES: mu_ held.
  Labels LabelsFor(std::string_view model, int64_t version) const;
  prometheus::Histogram& HistogramFor(prometheus::Family<prometheus::Histogram>& family,
                                      const Labels& labels, Protocol protocol);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Histogram>& request_duration_;
  prometheus::Family<prometheus::Histogram>& queue_duration_;
  prometheus::Family<prometheus::Histogram>& compute_duration_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Gauge>& pending_;
  prometheus::Gauge& loaded_models_;
  prometheus::Gauge& certificate_expiry_;

  mutable std::mutex mu_;
  std::set<std::pair<std::string, int64_t>> registered_;
};

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_SERVING_METRICS_H_
