#include "serving/serving_metrics.h"

#include <prometheus/text_serializer.h>

namespace s3ml::serving {
namespace {

// Seconds, from sub-millisecond batches of small models to slow first requests.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return buckets;
}

prometheus::Family<prometheus::Histogram>& BuildLatencyFamily(prometheus::Registry& registry,
                                                              const std::string& name,
                                                              const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry);
}

}  // namespace

std::string_view ProtocolLabel(Protocol protocol) {
  return protocol == Protocol::kV2 ? "v2" : "v1";
}

std::string HttpCodeLabel(int http_code) {
  for (int code : kReportedHttpCodes) {
    if (code == http_code) return std::to_string(code);
  }
  return "other";
}

ServingMetrics::ServingMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      request_duration_(BuildLatencyFamily(*registry_, "s3ml_request_duration_seconds",
                                           "End-to-end duration of inference requests.")),
      queue_duration_(BuildLatencyFamily(*registry_, "s3ml_queue_duration_seconds",
                                         "Time inference requests waited for a batch.")),
      compute_duration_(BuildLatencyFamily(*registry_, "s3ml_compute_duration_seconds",
                                           "Time the engine spent on a request's batch.")),
      requests_(prometheus::BuildCounter()
                    .Name("s3ml_requests_total")
                    .Help("Inference requests by outcome and HTTP status code.")
                    .Register(*registry_)),
      pending_(prometheus::BuildGauge()
                   .Name("s3ml_pending_requests")
                   .Help("Inference requests queued or running.")
                   .Register(*registry_)),
      loaded_models_(prometheus::BuildGauge()
                         .Name("s3ml_loaded_model_versions")
                         .Help("Model versions loaded and ready.")
                         .Register(*registry_)
                         .Add({})),
      certificate_expiry_(prometheus::BuildGauge()
                              .Name("s3ml_certificate_expiry_timestamp_seconds")
                              .Help("notAfter of the service TLS certificate, seconds since the epoch.")
                              .Register(*registry_)
                              .Add({})),
      epc_capacity_(prometheus::BuildGauge()
                        .Name("s3ml_epc_capacity_bytes")
                        .Help("EPC capacity of the host this server's enclave memory is on.")
                        .Register(*registry_)),
      epc_resident_(prometheus::BuildGauge()
                        .Name("s3ml_epc_resident_bytes")
                        .Help("EPC bytes resident, host-wide and of this server's enclave.")
                        .Register(*registry_)),
      epc_evicted_rate_(prometheus::BuildGauge()
                            .Name("s3ml_epc_pages_evicted_per_second")
                            .Help("EPC pages evicted (EWB) per second over the last sampling interval.")
                            .Register(*registry_)),
      epc_loaded_rate_(prometheus::BuildGauge()
                           .Name("s3ml_epc_pages_loaded_per_second")
                           .Help("EPC pages loaded back (ELDU) per second over the last sampling interval.")
                           .Register(*registry_)),
      epc_paging_rate_(prometheus::BuildGauge()
                           .Name("s3ml_epc_paging_rate_pages_per_second")
                           .Help("EPC paging throughput (evicted + loaded pages per second).")
                           .Register(*registry_)) {}

void ServingMetrics::RegisterModelVersion(std::string_view model, int64_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  registered_.insert({std::string(model), version});
}

void ServingMetrics::UnregisterModelVersion(std::string_view model, int64_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  if (registered_.erase({std::string(model), version}) == 0) return;
  // Drop every series carrying these labels so unloaded versions stop being exported.
  const std::string version_label = std::to_string(version);
  for (Protocol protocol : {Protocol::kV2, Protocol::kV1}) {
    const prometheus::Labels labels = {{"model", std::string(model)},
                                       {"version", version_label},
                                       {"protocol", std::string(ProtocolLabel(protocol))}};
    for (auto* family : {&request_duration_, &queue_duration_, &compute_duration_}) {
      if (family->Has(labels)) family->Remove(&family->Add(labels, LatencyBuckets()));
    }
    for (const char* outcome : {"success", "failure"}) {
      for (int code : kReportedHttpCodes) {
        prometheus::Labels counter_labels = labels;
        counter_labels["outcome"] = outcome;
        counter_labels["code"] = std::to_string(code);
        if (requests_.Has(counter_labels)) requests_.Remove(&requests_.Add(counter_labels));
      }
      prometheus::Labels other = labels;
      other["outcome"] = outcome;
      other["code"] = "other";
      if (requests_.Has(other)) requests_.Remove(&requests_.Add(other));
    }
  }
  const prometheus::Labels pending_labels = {{"model", std::string(model)}, {"version", version_label}};
  if (pending_.Has(pending_labels)) pending_.Remove(&pending_.Add(pending_labels));
}

ServingMetrics::Labels ServingMetrics::LabelsFor(std::string_view model, int64_t version) const {
  if (registered_.count({std::string(model), version}) == 0) return {"", ""};
  return {std::string(model), std::to_string(version)};
}

prometheus::Histogram& ServingMetrics::HistogramFor(prometheus::Family<prometheus::Histogram>& family,
                                                    const Labels& labels, Protocol protocol) {
  return family.Add({{"model", labels.model},
                     {"version", labels.version},
                     {"protocol", std::string(ProtocolLabel(protocol))}},
                    LatencyBuckets());
}

void ServingMetrics::ObserveRequest(std::string_view model, int64_t version, Protocol protocol,
                                    int http_code, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  const Labels labels = LabelsFor(model, version);
  HistogramFor(request_duration_, labels, protocol).Observe(seconds);
  const bool success = http_code >= 200 && http_code < 300;
  requests_
      .Add({{"model", labels.model},
            {"version", labels.version},
            {"protocol", std::string(ProtocolLabel(protocol))},
            {"outcome", success ? "success" : "failure"},
            {"code", HttpCodeLabel(http_code)}})
      .Increment();
}

void ServingMetrics::ObserveQueueTime(std::string_view model, int64_t version, Protocol protocol,
                                      double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  HistogramFor(queue_duration_, LabelsFor(model, version), protocol).Observe(seconds);
}

void ServingMetrics::ObserveComputeTime(std::string_view model, int64_t version, Protocol protocol,
                                        double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  HistogramFor(compute_duration_, LabelsFor(model, version), protocol).Observe(seconds);
}

void ServingMetrics::SetPendingRequests(std::string_view model, int64_t version, int64_t pending) {
  std::lock_guard<std::mutex> lock(mu_);
  const Labels labels = LabelsFor(model, version);
  if (labels.model.empty()) return;  // pending counts only exist for loaded versions
  pending_.Add({{"model", labels.model}, {"version", labels.version}}).Set(static_cast<double>(pending));
}

void ServingMetrics::SetLoadedModels(int64_t count) { loaded_models_.Set(static_cast<double>(count)); }

void ServingMetrics::SetCertificateExpiry(int64_t unix_seconds) {
  certificate_expiry_.Set(static_cast<double>(unix_seconds));
}

void ServingMetrics::SetEpcFigures(const EpcFigures& f) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto rate_families = {&epc_resident_, &epc_evicted_rate_, &epc_loaded_rate_, &epc_paging_rate_};
  if (epc_labels_ != std::pair(f.host, f.enclave) && !epc_labels_.first.empty()) {
    // Another host or name (not expected within one process): drop the old series.
    const prometheus::Labels old_host = {{"host", epc_labels_.first}};
    const prometheus::Labels old_enclave = {{"host", epc_labels_.first}, {"enclave", epc_labels_.second}};
    if (epc_capacity_.Has(old_host)) epc_capacity_.Remove(&epc_capacity_.Add(old_host));
    for (auto* family : rate_families) {
      for (const prometheus::Labels* labels : {&old_host, &old_enclave}) {
        if (family->Has(*labels)) family->Remove(&family->Add(*labels));
      }
    }
  }
  epc_labels_ = {f.host, f.enclave};
  const prometheus::Labels host = {{"host", f.host}};
  const prometheus::Labels enclave = {{"host", f.host}, {"enclave", f.enclave}};
  epc_capacity_.Add(host).Set(static_cast<double>(f.capacity_bytes));
  epc_resident_.Add(host).Set(static_cast<double>(f.host_resident_bytes));
  epc_resident_.Add(enclave).Set(static_cast<double>(f.enclave_resident_bytes));
  epc_evicted_rate_.Add(host).Set(f.host_evicted_per_second);
  epc_evicted_rate_.Add(enclave).Set(f.enclave_evicted_per_second);
  epc_loaded_rate_.Add(host).Set(f.host_loaded_per_second);
  epc_loaded_rate_.Add(enclave).Set(f.enclave_loaded_per_second);
  epc_paging_rate_.Add(host).Set(f.host_evicted_per_second + f.host_loaded_per_second);
  epc_paging_rate_.Add(enclave).Set(f.enclave_evicted_per_second + f.enclave_loaded_per_second);
}

std::string ServingMetrics::RenderText() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace s3ml::serving
