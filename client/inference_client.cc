#include "client/inference_client.h"

#include <thread>

#include "client/https_url.h"

namespace s3ml::client {
namespace {

net::HttpRequest NewRequest(std::string method, std::string target) {
  net::HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  return request;
}

constexpr uint64_t kMaxResponseBytes = 256u << 20;

// Path segments we put into a URL: names and versions only, so nothing can change the route.
Status CheckPathSegment(std::string_view what, std::string_view value) {
  if (value.empty() || value.size() > 64) return InvalidArgument(std::string(what) + " must be 1..64 characters");
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return InvalidArgument(std::string(what) + " '" + std::string(value) + "' may only hold [A-Za-z0-9._-]");
  }
  if (value == "." || value == "..") return InvalidArgument(std::string(what) + " must not be . or ..");
  return Status::Ok();
}

Result<std::string> ModelPath(std::string_view model, std::string_view version) {
  S3ML_RETURN_IF_ERROR(CheckPathSegment("model name", model));
  std::string path = "/v2/models/" + std::string(model);
  if (!version.empty()) {
    S3ML_RETURN_IF_ERROR(CheckPathSegment("model version", version));
    path += "/versions/" + std::string(version);
  }
  return path;
}

// Errors after which another connection may well succeed. A refused certificate, a bad request
// or an oversized answer would only repeat.
bool Retryable(const Status& status) {
  return status.code() == StatusCode::kUnavailable || status.code() == StatusCode::kDeadlineExceeded ||
         status.code() == StatusCode::kInternal;
}

}  // namespace

struct InferenceClient::Endpoint {
  std::string url;
  std::unique_ptr<net::HttpClient> http;
  // Requests answered on the connection numbered `counted_connection` (http->connections_opened()
  // when it was opened); HttpClient reconnects on its own after a stale or closed connection,
  // which shows up as a new number and restarts the count.
  uint64_t counted_connection = 0;
  uint32_t requests_on_connection = 0;
};

Result<std::unique_ptr<InferenceClient>> InferenceClient::Create(const InferenceClientOptions& options) {
  if (options.endpoints.empty()) return InvalidArgument("inference client: no endpoint");
  if (options.root_ca_pem.empty()) return InvalidArgument("inference client: no pinned root CA");
  if (options.max_attempts < 1) return InvalidArgument("inference client: max_attempts must be >= 1");
  net::TlsClientOptions tls_options;
  tls_options.root_pem = options.root_ca_pem;
  tls_options.clock = options.clock;
  auto tls = net::TlsContext::CreateClient(tls_options);
  if (!tls.ok()) return tls.status().WithContext("inference client: pinned root CA");
  std::vector<std::unique_ptr<Endpoint>> endpoints;
  for (const std::string& url : options.endpoints) {
    S3ML_ASSIGN_OR_RETURN(HttpsEndpoint parsed, ParseHttpsUrl(url));
    net::HttpClientOptions http;
    http.tls = tls.value();
    http.server_name = options.server_name;
    http.connect_timeout = options.connect_timeout;
    http.request_timeout = options.request_timeout;
    http.max_response_body_bytes = kMaxResponseBytes;
    auto endpoint = std::make_unique<Endpoint>();
    endpoint->url = url;
    endpoint->http = std::make_unique<net::HttpClient>(parsed.host, parsed.port, http);
    endpoints.push_back(std::move(endpoint));
  }
  return std::unique_ptr<InferenceClient>(new InferenceClient(std::move(endpoints), options));
}

InferenceClient::InferenceClient(std::vector<std::unique_ptr<Endpoint>> endpoints, InferenceClientOptions options)
    : endpoints_(std::move(endpoints)), options_(std::move(options)) {}

InferenceClient::~InferenceClient() = default;

InferenceClientStats InferenceClient::stats() const {
  InferenceClientStats s = stats_;
  for (const auto& e : endpoints_) s.connections_opened += e->http->connections_opened();
  return s;
}

Result<net::HttpResponse> InferenceClient::Send(const net::HttpRequest& request) {
  Status last;
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    if (attempt > 0) {
      ++stats_.retries;
      if (options_.retry_delay.count() > 0) std::this_thread::sleep_for(options_.retry_delay);
    }
    Endpoint& endpoint = *endpoints_[current_];
    const uint32_t limit = options_.max_requests_per_connection;
    if (limit > 0 && endpoint.requests_on_connection >= limit) {
      // The request and its whole answer are done, so closing here loses nothing.
      endpoint.http->Close();
      endpoint.requests_on_connection = 0;
    }
    ++stats_.attempts;
    auto response = endpoint.http->Send(request);
    if (response.ok()) {
      const uint64_t connection = endpoint.http->connections_opened();
      if (connection != endpoint.counted_connection) {
        endpoint.counted_connection = connection;
        endpoint.requests_on_connection = 0;
      }
      ++endpoint.requests_on_connection;
    }
    if (response.ok() && response->status != 503) return response;
    if (response.ok()) {
      // 503: that server is full or draining; another may have room.
      last = HttpErrorStatus(endpoint.url, *response);
    } else {
      last = response.status().WithContext(endpoint.url);
      if (!Retryable(last)) return last;
    }
    // Next attempt: a fresh connection, to the next endpoint when there is one.
    endpoint.http->Close();
    current_ = (current_ + 1) % endpoints_.size();
  }
  if (options_.max_attempts == 1) return last;
  return last.WithContext("after " + std::to_string(options_.max_attempts) + " attempts");
}

Result<V2ModelMetadata> InferenceClient::ModelMetadata(std::string_view model, std::string_view version) {
  S3ML_ASSIGN_OR_RETURN(std::string path, ModelPath(model, version));
  S3ML_ASSIGN_OR_RETURN(auto response, Send(NewRequest("GET", path)));
  if (response.status != 200) return HttpErrorStatus("GET " + path, response);
  return ParseV2ModelMetadata(response.body);
}

Result<net::HttpRequest> MakeV2InferRequest(std::string_view model, std::string_view version, const V2InferCall& call) {
  S3ML_ASSIGN_OR_RETURN(std::string path, ModelPath(model, version));
  S3ML_ASSIGN_OR_RETURN(EncodedInferRequest encoded, EncodeV2InferRequest(call));
  net::HttpRequest request = NewRequest("POST", path + "/infer");
  request.headers.Set("Content-Type", encoded.content_type);
  if (encoded.json_header_length) request.headers.Set(kInferenceHeaderContentLength, std::to_string(*encoded.json_header_length));
  request.body = std::move(encoded.body);
  return request;
}

Result<V2InferResult> DecodeV2InferAnswer(const net::HttpRequest& request, const net::HttpResponse& response) {
  const std::string what = request.method + " " + request.target;
  if (response.status != 200) return HttpErrorStatus(what, response);
  auto result = DecodeV2InferResponse(response.body, response.headers.Get(kInferenceHeaderContentLength));
  if (!result.ok()) return result.status().WithContext(what + ": malformed answer");
  return result;
}

Result<V2InferResult> InferenceClient::Infer(std::string_view model, std::string_view version, const V2InferCall& call) {
  S3ML_ASSIGN_OR_RETURN(net::HttpRequest request, MakeV2InferRequest(model, version, call));
  S3ML_ASSIGN_OR_RETURN(auto response, Send(request));
  return DecodeV2InferAnswer(request, response);
}

Status InferenceClient::Ready() {
  S3ML_ASSIGN_OR_RETURN(auto response, Send(NewRequest("GET", "/v2/health/ready")));
  if (response.status != 200) return HttpErrorStatus("GET /v2/health/ready", response);
  return Status::Ok();
}

}  // namespace s3ml::client
