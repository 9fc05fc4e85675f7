#include "serving/inference_service.h"

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <utility>

#include <nlohmann/json.hpp>

#include "serving/http_status.h"
#include "serving/kserve_v2_request.h"
#include "serving/kserve_v2_response.h"
#include "serving/tf_serving_v1_codec.h"

namespace s3ml::serving {
namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

net::HttpResponse ErrorResponse(const Status& status) {
  return net::HttpResponse::Json(HttpStatusFor(status), ErrorBodyJson(status));
}

// The {v} path parameter: a canonical decimal version (as the repository names them), or nullopt
// for routes without one. Anything else cannot name a loaded version: kNotFound.
Result<std::optional<int64_t>> VersionParam(const net::HttpRequest& request) {
  auto it = request.path_params.find("v");
  if (it == request.path_params.end()) return std::optional<int64_t>();
  const std::string& text = it->second;
  const bool canonical = !text.empty() && text.size() <= 18 && (text == "0" || text[0] != '0') &&
                         text.find_first_not_of("0123456789") == std::string::npos;
  if (!canonical) {
    return NotFound("model " + std::string(request.PathParam("m")) + " has no version '" + text + "'");
  }
  return std::optional<int64_t>(std::stoll(text));
}

Result<std::shared_ptr<LoadedModel>> FindModel(const ModelStore& store, const net::HttpRequest& request) {
  S3ML_ASSIGN_OR_RETURN(std::optional<int64_t> version, VersionParam(request));
  return store.Find(request.PathParam("m"), version);
}

// Rows this request contributes to a batch: its leading dim when the model batches, else 1.
size_t BatchRows(const LoadedModel& model, const std::vector<TensorPayload>& inputs) {
  if (!model.batching() || inputs.empty() || inputs[0].shape.empty()) return 1;
  return static_cast<size_t>(inputs[0].shape[0]);
}

// Records one finished inference request (any outcome) in the metrics.
struct RequestRecorder {
  ServingMetrics* metrics;
  std::string model;
  int64_t version;
  Protocol protocol;
  SteadyClock::time_point start;

  void Finish(int code) const {
    if (metrics != nullptr) metrics->ObserveRequest(model, version, protocol, code, SecondsSince(start));
  }
  void Timing(const RequestTiming& timing) const {
    if (metrics == nullptr) return;
    metrics->ObserveQueueTime(model, version, protocol, std::chrono::duration<double>(timing.queue_time()).count());
    metrics->ObserveComputeTime(model, version, protocol,
                                std::chrono::duration<double>(timing.compute_time()).count());
  }
};

}  // namespace

bool InferenceService::ready() const { return !draining_.load() && store_->loaded_count() > 0; }

Status InferenceService::AddRoutes(net::Router& router) {
  auto add = [&router](const char* method, const char* pattern, net::HttpHandler handler) {
    return router.Add(method, pattern, std::move(handler));
  };
  S3ML_RETURN_IF_ERROR(add("GET", "/v2", [](net::HttpRequest, net::HttpResponder respond) {
    respond(net::HttpResponse::Json(200, V2ServerMetadataJson(kServerName, kServerVersion, {"binary_tensor_data", "classification"})));
  }));
  S3ML_RETURN_IF_ERROR(add("GET", "/v2/health/live", [](net::HttpRequest, net::HttpResponder respond) {
    respond(net::HttpResponse::Json(200, R"({"live":true})"));
  }));
  S3ML_RETURN_IF_ERROR(add("GET", "/v2/health/ready", [this](net::HttpRequest, net::HttpResponder respond) {
    const bool is_ready = ready();
    respond(net::HttpResponse::Json(is_ready ? 200 : 503, is_ready ? R"({"ready":true})" : R"({"ready":false})"));
  }));
  for (const char* prefix : {"/v2/models/{m}", "/v2/models/{m}/versions/{v}"}) {
    const std::string base = prefix;
    S3ML_RETURN_IF_ERROR(add("GET", base.c_str(), [this](net::HttpRequest request, net::HttpResponder respond) {
      ModelMetadata(request, std::move(respond));
    }));
    S3ML_RETURN_IF_ERROR(add("GET", (base + "/ready").c_str(), [this](net::HttpRequest request, net::HttpResponder respond) {
      ModelReady(request, std::move(respond));
    }));
    S3ML_RETURN_IF_ERROR(add("POST", (base + "/infer").c_str(), [this](net::HttpRequest request, net::HttpResponder respond) {
      Infer(std::move(request), std::move(respond));
    }));
  }
  for (const char* prefix : {"/v1/models/{m}", "/v1/models/{m}/versions/{v}"}) {
    const std::string base = prefix;
    S3ML_RETURN_IF_ERROR(add("GET", base.c_str(), [this](net::HttpRequest request, net::HttpResponder respond) {
      V1Status(request, std::move(respond));
    }));
    S3ML_RETURN_IF_ERROR(add("GET", (base + "/metadata").c_str(), [this](net::HttpRequest request, net::HttpResponder respond) {
      V1Metadata(request, std::move(respond));
    }));
    S3ML_RETURN_IF_ERROR(add("POST", (base + ":predict").c_str(), [this](net::HttpRequest request, net::HttpResponder respond) {
      Predict(std::move(request), std::move(respond));
    }));
  }
  return Status::Ok();
}

void InferenceService::Infer(net::HttpRequest request, net::HttpResponder respond) {
  RequestRecorder recorder{metrics_, std::string(request.PathParam("m")), 0, Protocol::kV2, SteadyClock::now()};
  auto fail = [&](const Status& status) {
    net::HttpResponse response = ErrorResponse(status);
    recorder.Finish(response.status);
    respond(std::move(response));
  };
  Result<std::shared_ptr<LoadedModel>> found = FindModel(*store_, request);
  if (!found.ok()) return fail(found.status());
  const std::shared_ptr<LoadedModel>& model = found.value();
  recorder.version = model->version();

  std::optional<size_t> json_length;
  if (std::optional<std::string_view> header = request.headers.Get("Inference-Header-Content-Length")) {
    Result<size_t> parsed = ParseInferenceHeaderContentLength(*header);
    if (!parsed.ok()) return fail(parsed.status());
    json_length = parsed.value();
  }
  const std::span<const uint8_t> body(reinterpret_cast<const uint8_t*>(request.body.data()), request.body.size());
  Result<V2InferRequest> parsed = ParseV2InferRequest(body, json_length, model->inputs(), model->outputs(),
                                                      model->validation(), model->v2_header_cache());
  if (!parsed.ok()) return fail(parsed.status());

  const size_t rows = BatchRows(*model, parsed.value().inputs);
  std::vector<TensorPayload> inputs = std::move(parsed.value().inputs);
  // The completion needs the request's output selection, not the model itself: it must not hold
  // the last reference to the LoadedModel on a worker thread (see LoadedModel::Submit).
  auto request_header = std::make_shared<V2InferRequest>(std::move(parsed).value());
  auto on_complete = [recorder, respond, request_header, labels = model->labels(), batched = model->batching()](
                         InferenceResult result, const RequestTiming& timing) {
    recorder.Timing(timing);
    net::HttpResponse response;
    if (!result.ok()) {
      response = ErrorResponse(result.status());
    } else {
      Result<EncodedBody> encoded = EncodeV2InferResponse(recorder.model, std::to_string(recorder.version),
                                                          *request_header, result.value(), {labels.get(), batched});
      if (!encoded.ok()) {
        response = ErrorResponse(encoded.status());
      } else {
        response.status = 200;
        response.headers.Set("Content-Type", encoded.value().content_type);
        if (encoded.value().json_header_length.has_value()) {
          response.headers.Set("Inference-Header-Content-Length", std::to_string(*encoded.value().json_header_length));
        }
        response.body = std::move(encoded.value().body);
      }
    }
    recorder.Finish(response.status);
    respond(std::move(response));
  };
  Status submitted = model->Submit(std::move(inputs), rows, std::move(on_complete));
  if (!submitted.ok()) fail(submitted);
}

void InferenceService::Predict(net::HttpRequest request, net::HttpResponder respond) {
  RequestRecorder recorder{metrics_, std::string(request.PathParam("m")), 0, Protocol::kV1, SteadyClock::now()};
  auto fail = [&](const Status& status) {
    net::HttpResponse response = ErrorResponse(status);
    recorder.Finish(response.status);
    respond(std::move(response));
  };
  Result<std::shared_ptr<LoadedModel>> found = FindModel(*store_, request);
  if (!found.ok()) return fail(found.status());
  const std::shared_ptr<LoadedModel>& model = found.value();
  recorder.version = model->version();

  Result<V1PredictRequest> parsed = ParseV1PredictRequest(request.body, model->inputs(), model->validation());
  if (!parsed.ok()) return fail(parsed.status());
  const size_t rows = BatchRows(*model, parsed.value().inputs);
  const V1Format format = parsed.value().format;
  auto on_complete = [recorder, respond, format](InferenceResult result, const RequestTiming& timing) {
    recorder.Timing(timing);
    net::HttpResponse response;
    if (!result.ok()) {
      response = ErrorResponse(result.status());
    } else {
      Result<std::string> encoded = EncodeV1PredictResponse(format, result.value());
      response = encoded.ok() ? net::HttpResponse::Json(200, std::move(encoded).value()) : ErrorResponse(encoded.status());
    }
    recorder.Finish(response.status);
    respond(std::move(response));
  };
  Status submitted = model->Submit(std::move(parsed.value().inputs), rows, std::move(on_complete));
  if (!submitted.ok()) fail(submitted);
}

void InferenceService::ModelMetadata(const net::HttpRequest& request, net::HttpResponder respond) {
  Result<std::shared_ptr<LoadedModel>> found = FindModel(*store_, request);
  if (!found.ok()) return respond(ErrorResponse(found.status()));
  const LoadedModel& model = *found.value();
  std::vector<std::string> versions;
  if (request.path_params.count("v") != 0) {
    versions.push_back(std::to_string(model.version()));
  } else {
    for (int64_t v : store_->Versions(model.name())) versions.push_back(std::to_string(v));
  }
  respond(net::HttpResponse::Json(
      200, V2ModelMetadataJson(model.name(), versions, model.inputs(), model.outputs(), model.batching())));
}

void InferenceService::ModelReady(const net::HttpRequest& request, net::HttpResponder respond) {
  Result<std::shared_ptr<LoadedModel>> found = FindModel(*store_, request);
  if (!found.ok()) return respond(ErrorResponse(found.status()));
  nlohmann::json body = {{"name", found.value()->name()},
                         {"version", std::to_string(found.value()->version())},
                         {"ready", true}};
  respond(net::HttpResponse::Json(200, body.dump()));
}

void InferenceService::V1Status(const net::HttpRequest& request, net::HttpResponder respond) {
  Result<std::shared_ptr<LoadedModel>> found = FindModel(*store_, request);
  if (!found.ok()) return respond(ErrorResponse(found.status()));
  std::vector<int64_t> versions = request.path_params.count("v") != 0 ? std::vector<int64_t>{found.value()->version()}
                                                                       : store_->Versions(found.value()->name());
  respond(net::HttpResponse::Json(200, V1ModelStatusJson(versions)));
}

void InferenceService::V1Metadata(const net::HttpRequest& request, net::HttpResponder respond) {
  Result<std::shared_ptr<LoadedModel>> found = FindModel(*store_, request);
  if (!found.ok()) return respond(ErrorResponse(found.status()));
  const LoadedModel& model = *found.value();
  respond(net::HttpResponse::Json(200, V1ModelMetadataJson(model.name(), model.version(), model.inputs(), model.outputs())));
}

}  // namespace s3ml::serving
