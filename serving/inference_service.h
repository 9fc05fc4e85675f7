// InferenceService: the REST routes of the inference port (KServe v2 and TF-Serving v1) over the
// ModelStore.
//
//   GET  /v2                                          server metadata
//   GET  /v2/health/live | /v2/health/ready           200, or 503 when not ready (draining, no model)
//   GET  /v2/models/{m}[/versions/{v}]                model metadata
//   GET  /v2/models/{m}[/versions/{v}]/ready          200 {"name","ready":true}; 404 unknown
//   POST /v2/models/{m}[/versions/{v}]/infer          JSON or binary tensor extension
//   GET  /v1/models/{m}[/versions/{v}]                TF-Serving model status
//   GET  /v1/models/{m}[/versions/{v}]/metadata       TF-Serving metadata
//   POST /v1/models/{m}[/versions/{v}]:predict        "instances" or "inputs"
//
// Handlers run on IO threads and never wait for inference: they parse and validate the request,
// submit it to the model version's scheduler and return; the answer is encoded and sent from the
// worker thread that ran it (net::HttpResponder). Errors are {"error": "..."} with the code of
// http_status.h: 400 bad JSON / shape / dtype, 404 unknown model or version, 503 queue full or
// version unloading. (413 for oversized bodies comes from net::HttpServer's body limit.)
// Every inference request is counted in ServingMetrics by model version and code, with its
// queue and compute time; no request content reaches the metrics.
#ifndef S3ML_SERVING_INFERENCE_SERVICE_H_
#define S3ML_SERVING_INFERENCE_SERVICE_H_

#include <atomic>
#include <string>

#include "core/status.h"
#include "net/router.h"
#include "serving/model_store.h"
#include "serving/serving_metrics.h"

namespace s3ml::serving {

inline constexpr char kServerName[] = "s3ml";
inline constexpr char kServerVersion[] = "0.1.0";

class InferenceService {
 public:
  // `store` and `metrics` must outlive the service and the server it serves on.
  InferenceService(ModelStore* store, ServingMetrics* metrics) : store_(store), metrics_(metrics) {}

  // Adds every route above. REQUIRES: the service outlives the router's server.
  Status AddRoutes(net::Router& router);

  // While draining, /v2/health/ready answers 503 so balancers stop sending new requests.
  void SetDraining(bool draining) { draining_.store(draining); }
  bool ready() const;

 private:
  void Infer(net::HttpRequest request, net::HttpResponder respond);
  void Predict(net::HttpRequest request, net::HttpResponder respond);
  void ModelMetadata(const net::HttpRequest& request, net::HttpResponder respond);
  void ModelReady(const net::HttpRequest& request, net::HttpResponder respond);
  void V1Status(const net::HttpRequest& request, net::HttpResponder respond);
  void V1Metadata(const net::HttpRequest& request, net::HttpResponder respond);

  ModelStore* const store_;
  ServingMetrics* const metrics_;
  std::atomic<bool> draining_{false};
};

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_INFERENCE_SERVICE_H_
