#include "serving/metrics_service.h"

#include <memory>
#include <optional>

namespace s3ml::serving {

Status AddMetricsRoutes(net::Router& router, ServingMetrics* metrics, const ModelStore* store,
                        EpcFiguresSource epc) {
  return router.Add("GET", "/metrics", [metrics, store, epc](net::HttpRequest, net::HttpResponder respond) {
    const std::vector<std::shared_ptr<LoadedModel>> models = store->All();
    for (const std::shared_ptr<LoadedModel>& model : models) {
      metrics->SetPendingRequests(model->name(), model->version(), static_cast<int64_t>(model->pending()));
    }
    metrics->SetLoadedModels(static_cast<int64_t>(models.size()));
    if (epc) {
      if (std::optional<EpcFigures> figures = epc(); figures.has_value()) metrics->SetEpcFigures(*figures);
    }
    net::HttpResponse response;
    response.status = 200;
    response.headers.Set("Content-Type", kPrometheusContentType);
    response.body = metrics->RenderText();
    respond(std::move(response));
  });
}

}  // namespace s3ml::serving
