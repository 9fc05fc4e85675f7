// ServingMetrics: the model server's Prometheus metrics, rendered in the text exposition format
// for the plaintext :9090 port.
//
// The port is outside the enclave's TLS, so label values come only from a fixed set: model and
// version of registered (loaded) model versions, protocol ("v2" | "v1"), outcome
// ("success" | "failure") and code (one of kReportedHttpCodes, others become "other").
// Observations for a model version that is not registered are counted with model="" and
// version="" (Prometheus drops empty labels), so a request naming an unknown model cannot
// create a series or put its text on the port. Thread-safe.
//
// EPC figures (SetEpcFigures; only on a server whose memory is on an EPC host), labelled
// host="<host>" for the host-wide figure and host, enclave="<name>" for this server's own:
//   s3ml_epc_capacity_bytes{host}, s3ml_epc_resident_bytes{host[,enclave]},
//   s3ml_epc_pages_evicted_per_second / s3ml_epc_pages_loaded_per_second{host[,enclave]},
//   s3ml_epc_paging_rate_pages_per_second{host[,enclave]} (evicted + loaded: the policy signal).
// Names and labels follow s3ml-epcd's exporter so one dashboard query fits both.
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

#include "serving/epc_figures.h"

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
  void SetEpcFigures(const EpcFigures& figures);

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
  prometheus::Family<prometheus::Gauge>& epc_capacity_;
  prometheus::Family<prometheus::Gauge>& epc_resident_;
  prometheus::Family<prometheus::Gauge>& epc_evicted_rate_;
  prometheus::Family<prometheus::Gauge>& epc_loaded_rate_;
  prometheus::Family<prometheus::Gauge>& epc_paging_rate_;

  mutable std::mutex mu_;
  std::set<std::pair<std::string, int64_t>> registered_;
  std::pair<std::string, std::string> epc_labels_;  // host, enclave of the exported EPC series
};

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_SERVING_METRICS_H_
