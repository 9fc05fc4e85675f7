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

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_INFERENCE_CLIENT_H_
