#include "serving/model_server.h"

#include <utility>

#include <openssl/crypto.h>

#include "core/log.h"
#include "serving/metrics_service.h"

namespace s3ml::serving {

Result<std::shared_ptr<const net::TlsContext>> ServiceTlsContext(const ProvisionedCredentials& credentials) {
  net::TlsServerOptions tls;
  tls.certificate_chain_pem = credentials.certificate_chain_pem;
  tls.private_key_pem.assign(credentials.private_key_pem.data(),
                             credentials.private_key_pem.data() + credentials.private_key_pem.size());
  tls.client_certificate = net::ClientCertificateMode::kNone;
  Result<std::shared_ptr<const net::TlsContext>> context = net::TlsContext::CreateServer(tls);
  if (!tls.private_key_pem.empty()) OPENSSL_cleanse(tls.private_key_pem.data(), tls.private_key_pem.size());
  if (!context.ok()) return context.status().WithContext("service certificate from the ECS");
  return context;
}

Result<std::shared_ptr<const net::TlsContext>> ModelServer::Install(ProvisionedCredentials& credentials) {
  Result<std::shared_ptr<const net::TlsContext>> context = ServiceTlsContext(credentials);
  credentials.private_key_pem.Clear();
  if (!context.ok()) return context.status();
  store_->SetModelKeys(std::move(credentials.model_keys));
  not_after_.store(credentials.not_after);
  metrics_->SetCertificateExpiry(credentials.not_after);
  return context;
}

Result<std::unique_ptr<ModelServer>> ModelServer::Boot(tee::Platform* platform, ModelServerOptions options) {
  // IO threads may run a request themselves while a worker is free (BatchScheduler): two thread
  // hand-offs less per request. With a loop per IO thread (below) a request also needs no
  // hand-off between IO threads.
  options.store.load.submitter_runs = SubmitterRunsForIoThreads(options.io_threads);
  std::unique_ptr<ModelServer> server(new ModelServer(std::move(options)));
  const ModelServerOptions& o = server->options_;
  server->metrics_ = std::make_unique<ServingMetrics>();
  server->store_ = std::make_unique<ModelStore>(o.store, server->metrics_.get());
  server->service_ = std::make_unique<InferenceService>(server->store_.get(), server->metrics_.get());

  S3ML_ASSIGN_OR_RETURN(server->provisioning_, ProvisioningClient::Create(platform, o.provisioning));
  S3ML_ASSIGN_OR_RETURN(ProvisionedCredentials credentials, server->provisioning_->Provision());
  server->identity_ = credentials.identity;
  const int64_t renew_after = credentials.renew_after;
  Log(LogLevel::kInfo, "server",
      "provisioned as identity " + credentials.identity + " with " + std::to_string(credentials.model_keys.size()) +
          " model key(s); certificate valid until " + std::to_string(credentials.not_after));
  S3ML_ASSIGN_OR_RETURN(std::shared_ptr<const net::TlsContext> tls, server->Install(credentials));

  S3ML_ASSIGN_OR_RETURN(PollReport report, server->store_->Poll());
  for (const ScanProblem& problem : report.scan_problems) {
    Log(LogLevel::kWarning, "model-store", "repository entry " + problem.path + " skipped: " + problem.reason);
  }

  net::Router metrics_router;
  S3ML_RETURN_IF_ERROR(AddMetricsRoutes(metrics_router, server->metrics_.get(), server->store_.get(), o.epc_figures));
  net::HttpServerOptions metrics_options;
  metrics_options.address = o.metrics.host;
  metrics_options.port = o.metrics.port;
  metrics_options.io_threads = 1;
  metrics_options.max_body_bytes = 4096;
  server->metrics_server_ = std::make_unique<net::HttpServer>(metrics_options, std::move(metrics_router));
  Status started = server->metrics_server_->Start();
  // Not kUnavailable: a busy port is not worth retrying like an unreachable ECS.
  if (!started.ok()) return FailedPrecondition(started.WithContext("--metrics").message());

  net::Router router;
  S3ML_RETURN_IF_ERROR(server->service_->AddRoutes(router));
  net::HttpServerOptions inference_options;
  inference_options.address = o.listen.host;
  inference_options.port = o.listen.port;
  inference_options.io_threads = o.io_threads;
  inference_options.context_per_thread = true;
  inference_options.max_body_bytes = o.max_body_bytes;
  inference_options.tls = tls;
  server->inference_ = std::make_unique<net::HttpServer>(inference_options, std::move(router));
  started = server->inference_->Start();
  if (!started.ok()) return FailedPrecondition(started.WithContext("--listen").message());

  ModelServer* raw = server.get();
  AgentAnswer answer = o.agent_policy ? DrainOverrides([raw] { return raw->draining(); }, o.agent_policy)
                                      : FixedWeightAgentAnswer([raw] { return raw->draining(); });
  server->agent_ = std::make_unique<AgentServer>(o.agent.host, o.agent.port, std::move(answer));
  started = server->agent_->Start();
  if (!started.ok()) return FailedPrecondition(started.WithContext("--agent").message());

  server->poller_ = std::make_unique<RepositoryPoller>(server->store_.get(), o.poll_interval);
  server->renewer_ = std::make_unique<CertificateRenewer>(o.provisioning.clock, renew_after,
                                                          [raw] { return raw->Renew(); }, o.renewal);
  return server;
}

Result<int64_t> ModelServer::Renew() {
  S3ML_ASSIGN_OR_RETURN(ProvisionedCredentials credentials, provisioning_->Provision());
  const int64_t renew_after = credentials.renew_after;
  S3ML_ASSIGN_OR_RETURN(std::shared_ptr<const net::TlsContext> tls, Install(credentials));
  S3ML_RETURN_IF_ERROR(inference_->ReplaceTlsContext(std::move(tls)));
  // Keys may have changed (a model added to this identity): retry versions that lacked one.
  Result<PollReport> report = store_->Poll();
  if (!report.ok()) Log(LogLevel::kWarning, "model-store", "poll after renewal failed: " + report.status().ToString());
  return renew_after;
}

void ModelServer::Drain() {
  draining_.store(true);
  if (service_) service_->SetDraining(true);
}

void ModelServer::Shutdown(std::chrono::milliseconds grace) {
  if (shut_down_) return;
  shut_down_ = true;
  Drain();
  if (renewer_) renewer_->Stop();
  if (poller_) poller_->Stop();
  if (inference_) inference_->Shutdown(grace);
  if (store_) store_->UnloadAll();
  if (agent_) agent_->Stop();
  if (metrics_server_) metrics_server_->Shutdown(std::chrono::milliseconds(0));
}

ModelServer::~ModelServer() { Shutdown(std::chrono::milliseconds(0)); }

}  // namespace s3ml::serving
