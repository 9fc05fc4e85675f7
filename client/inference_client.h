// InferenceClient: calls the s3ml inference service (KServe v2 REST) over HTTPS, trusting only the
// pinned s3ml root CA (attested from the ECS, ecs_attestation.h) and checking the service name
// against the certificate's SANs.
//
// Endpoints: one service URL (a load balancer) or a list of server URLs, "https://host:port".
// Each endpoint keeps one keep-alive connection. A call goes to the current endpoint; if the
// connection fails (cannot connect, connection lost, timed out, kInternal from the transport) or
// the server answers 503, the
// call is retried (inference is idempotent) on a fresh connection to the next endpoint, up to
// max_attempts in total; the endpoint that failed is moved past, so later calls start elsewhere.
// A refused server certificate (kPermissionDenied) is never retried: it means an impostor or a
// wrong root. Errors: the last attempt's error; HTTP errors other than 503 are returned at once
// as Status (400 kInvalidArgument, 404 kNotFound, 413 kResourceExhausted, ...) with the server's
// {"error"} message.
// Connection recycling: with max_requests_per_connection = N > 0, an endpoint's connection is
// closed after N requests and the next call opens a fresh one. An L4 load balancer (HAProxy in
// `mode tcp`) balances connections, not requests, so only clients that reconnect now and then
// follow weight changes and servers added or drained behind it.
// Not thread-safe: use one InferenceClient per thread.
#ifndef S3ML_CLIENT_INFERENCE_CLIENT_H_
#define S3ML_CLIENT_INFERENCE_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/http_error.h"
#include "client/v2_tensor.h"
#include "core/clock.h"
#include "core/status.h"
#include "net/http_client.h"

namespace s3ml::client {

struct InferenceClientOptions {
  std::vector<std::string> endpoints;  // "https://host:port", at least one
  std::string root_ca_pem;             // pinned root (required)
  // Name checked against the server certificate; empty = each endpoint's host (a name or an IP).
  std::string server_name;
  std::chrono::milliseconds connect_timeout{3'000};
  std::chrono::milliseconds request_timeout{30'000};
  int max_attempts = 3;
  std::chrono::milliseconds retry_delay{20};  // between attempts
  // Requests (answered exchanges, any HTTP status) per connection before it is closed and the
  // next call reconnects; 0 = keep the connection as long as it lives. Counted per endpoint.
  uint32_t max_requests_per_connection = 0;
  const Clock* clock = nullptr;  // certificate validity; nullptr = the system clock
};

struct InferenceClientStats {
  uint64_t attempts = 0;
  uint64_t retries = 0;
  uint64_t connections_opened = 0;
};

class InferenceClient {
 public:
  // InvalidArgument for no endpoints, a malformed URL or root PEM.
  static Result<std::unique_ptr<InferenceClient>> Create(const InferenceClientOptions& options);
  ~InferenceClient();

  // GET /v2/models/{model}[/versions/{version}].
  Result<V2ModelMetadata> ModelMetadata(std::string_view model, std::string_view version = "");
  // POST /v2/models/{model}[/versions/{version}]/infer.
  Result<V2InferResult> Infer(std::string_view model, std::string_view version, const V2InferCall& call);
  // GET /v2/health/ready: ok when 200.
  Status Ready();
  // Any request (for tools and tests), with the same retry rules.
  Result<net::HttpResponse> Send(const net::HttpRequest& request);

  InferenceClientStats stats() const;

 private:
  struct Endpoint;
  explicit InferenceClient(std::vector<std::unique_ptr<Endpoint>> endpoints, InferenceClientOptions options);

  std::vector<std::unique_ptr<Endpoint>> endpoints_;
  InferenceClientOptions options_;
  size_t current_ = 0;
  InferenceClientStats stats_;
};

// The HTTP request of one v2 infer call (POST /v2/models/{model}[/versions/{version}]/infer,
// encoded as the call says), for callers that send the same call many times (load generators).
// InvalidArgument for a model or version that is not [A-Za-z0-9._-]{1,64}, or a call that does not
// encode.
Result<net::HttpRequest> MakeV2InferRequest(std::string_view model, std::string_view version, const V2InferCall& call);
// The result in `response` to `request`: an HTTP error as Status (http_error.h), or the decoded
// outputs (InvalidArgument for a malformed answer).
Result<V2InferResult> DecodeV2InferAnswer(const net::HttpRequest& request, const net::HttpResponse& response);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_INFERENCE_CLIENT_H_
