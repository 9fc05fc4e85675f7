// ModelServer: the whole model server process wired together (apps/s3ml-server stays thin).
//
// Boot(): provision from the ECS (RA-TLS, provisioning_client.h) -> hand the model keys to the
// ModelStore and load the repository -> start the metrics port (plaintext), the inference port
// (TLS 1.3 with the provisioned service certificate) and the agent port -> start the repository
// poller and the certificate renewer. Any failure stops what was started and is returned as is
// (IsProvisioningRefusal / IsEcsIdentityMismatch tell the ECS's refusals apart; an unreachable
// or not yet ready ECS is kUnavailable; a port that cannot be bound is kFailedPrecondition).
// Engine memory comes from options.store.load.allocator (the app may put it on a simulated EPC).
// Drain(): the agent answers "drain" (whatever options.agent_policy says) and /v2/health/ready 503; Shutdown(grace) then stops
// accepting, lets in-flight requests finish (up to grace), and stops every part.
#ifndef S3ML_SERVING_MODEL_SERVER_H_
#define S3ML_SERVING_MODEL_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "net/http_server.h"
#include "serving/agent_server.h"
#include "serving/certificate_renewer.h"
#include "serving/epc_figures.h"
#include "serving/inference_service.h"
#include "serving/model_store.h"
#include "serving/provisioning_client.h"
#include "net/host_port.h"
#include "serving/repository_poller.h"
#include "serving/serving_metrics.h"
#include "tee/platform.h"

namespace s3ml::serving {

using Endpoint = net::HostPort;

struct ModelServerOptions {
  Endpoint listen;   // inference, TLS
  Endpoint metrics;  // plaintext Prometheus
  Endpoint agent;    // HAProxy agent-check
  ModelStoreOptions store;
  std::chrono::milliseconds poll_interval{5'000};
  int io_threads = 2;
  uint64_t max_body_bytes = 16u << 20;
  ProvisioningOptions provisioning;
  RenewerOptions renewal;
  // The agent's answer while not draining (e.g. EPC-driven weights); empty: "up 100%\n".
  AgentAnswer agent_policy;
  // EPC figures for the metrics port; empty: none exported.
  EpcFiguresSource epc_figures;
};

// How many requests the inference port's IO threads may run themselves at once
// (BatchScheduler submitter_runs): all IO threads but one, which stays free for the network.
inline size_t SubmitterRunsForIoThreads(int io_threads) {
  return io_threads > 1 ? static_cast<size_t>(io_threads - 1) : 0;
}

class ModelServer {
 public:
  // `platform` must outlive the server.
  static Result<std::unique_ptr<ModelServer>> Boot(tee::Platform* platform, ModelServerOptions options);
  ~ModelServer();
  ModelServer(const ModelServer&) = delete;
  ModelServer& operator=(const ModelServer&) = delete;

  uint16_t inference_port() const { return inference_->port(); }
  uint16_t metrics_port() const { return metrics_server_->port(); }
  uint16_t agent_port() const { return agent_->port(); }
  int64_t certificate_not_after() const { return not_after_.load(); }
  const std::string& identity() const { return identity_; }
  ModelStore& store() { return *store_; }

  void Drain();
  bool draining() const { return draining_.load(); }
  // REQUIRES: not called from a request handler. Idempotent.
  void Shutdown(std::chrono::milliseconds grace);

 private:
  explicit ModelServer(ModelServerOptions options) : options_(std::move(options)) {}
  // Provisions again and installs the new certificate and keys; returns the next renew_after.
  Result<int64_t> Renew();
  // Hands the keys to the store and returns the inference TLS context; wipes the service key.
  Result<std::shared_ptr<const net::TlsContext>> Install(ProvisionedCredentials& credentials);

  const ModelServerOptions options_;
  std::atomic<bool> draining_{false};
  std::unique_ptr<ServingMetrics> metrics_;
  std::unique_ptr<ModelStore> store_;
  std::unique_ptr<InferenceService> service_;
  std::unique_ptr<ProvisioningClient> provisioning_;
  std::string identity_;  // the manifest identity the ECS matched at boot
  std::atomic<int64_t> not_after_{0};
  std::unique_ptr<net::HttpServer> metrics_server_;
  std::unique_ptr<net::HttpServer> inference_;
  std::unique_ptr<AgentServer> agent_;
  std::unique_ptr<RepositoryPoller> poller_;
  std::unique_ptr<CertificateRenewer> renewer_;
  bool shut_down_ = false;
};

// The inference port's TLS context for provisioned credentials (TLS 1.3, no client certificates).
Result<std::shared_ptr<const net::TlsContext>> ServiceTlsContext(const ProvisionedCredentials& credentials);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_MODEL_SERVER_H_
