// MetricsService: GET /metrics on the plaintext metrics port, in the Prometheus text exposition
// format (version 0.0.4). Before rendering it refreshes the gauges that are sampled rather than
// counted (pending requests per loaded version, loaded versions, and the EPC figures when an
// EpcFiguresSource is given and has figures). Only aggregates are exported:
// see serving_metrics.h for why no request text can become a label.
#ifndef S3ML_SERVING_METRICS_SERVICE_H_
#define S3ML_SERVING_METRICS_SERVICE_H_

#include "core/status.h"
#include "net/router.h"
#include "serving/epc_figures.h"
#include "serving/model_store.h"
#include "serving/serving_metrics.h"

namespace s3ml::serving {

inline constexpr char kPrometheusContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// `metrics` and `store` must outlive the server the router is used by; `epc` may be empty.
Status AddMetricsRoutes(net::Router& router, ServingMetrics* metrics, const ModelStore* store,
                        EpcFiguresSource epc = {});

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_METRICS_SERVICE_H_
