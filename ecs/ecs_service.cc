#include "ecs/ecs_service.h"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "attest/ratls_certificate.h"
#include "core/base64.h"
#include "core/hex.h"
#include "core/log.h"
#include "crypto/random.h"
#include "ecs/caller.h"
#include "ecs/certificate_authority.h"
#include "ecs/client_attestation.h"
#include "ecs/manifest.h"
#include "ecs/provisioning.h"
#include "ecs/state_writer.h"
#include "ecs/strict_json.h"
#include "ecs/task_runner.h"
#include "net/http_server.h"
#include "net/router.h"
#include "net/tls_context.h"

namespace s3ml::ecs {

namespace {

using net::HttpRequest;
using net::HttpResponder;
using net::HttpResponse;
using nlohmann::json;

// What readers may see without the writer's turn: only committed configuration.
struct View {
  std::optional<Manifest> manifest;
  std::shared_ptr<const CertificateAuthority> ca;
  std::string intermediate_pem;
};

HttpResponse JsonResponse(int status, const json& body) { return HttpResponse::Json(status, body.dump()); }

HttpResponse StatusResponse(const Status& status) {
  if (status.code() == StatusCode::kResourceExhausted) return HttpResponse::Error(413, status.message());
  return HttpResponse::FromStatus(status);
}

json EnclaveDetail(const attest::VerifiedQuote& quote) {
  return json{{"mrenclave", HexEncode(quote.identity.mrenclave)},
              {"mrsigner", HexEncode(quote.identity.mrsigner)},
              {"isvprodid", quote.identity.isv_prod_id},
              {"isvsvn", quote.identity.isv_svn},
              {"debug", quote.identity.debug},
              {"tcb_status", std::string(attest::TcbStatusName(quote.tcb_status))}};
}

// 401 without a client certificate, 403 for any key but the current owner's; nullopt = owner.
std::optional<HttpResponse> CheckOwner(const Caller* caller, const std::optional<Manifest>& manifest) {
  if (caller == nullptr) {
    return HttpResponse::Error(401, "owner authentication needs the owner's TLS client certificate");
  }
  if (!manifest.has_value()) return HttpResponse::Error(403, "there is no manifest yet, hence no owner");
  if (caller->kind != Caller::Kind::kCertificate || caller->spki_der != manifest->owner_spki_der) {
    return HttpResponse::Error(403, "the client certificate's key is not the manifest's owner key");
  }
  return std::nullopt;
}

}  // namespace

struct EcsService::Impl {
  EcsServiceOptions options;
  std::unique_ptr<StateWriter> writer;
  std::unique_ptr<TaskRunner> runner;
  std::unique_ptr<net::HttpServer> server;

  // The service certificate handed out by Provision, shared by every caller while more than 2/3
  // of its lifetime is left (see ServiceCertificateFor).
  struct IssuedCertificate {
    std::shared_ptr<const View> view;  // the manifest and CA it was issued under
    int64_t issued_at = 0;
    ServiceCertificate certificate;
  };
  std::mutex certificate_mu;
  std::optional<IssuedCertificate> issued;

  mutable std::mutex view_mu;
  std::shared_ptr<const View> view;
  std::string tls_pem;
  int64_t tls_renew_at = 0;

  std::mutex maintenance_mu;
  std::condition_variable maintenance_wake;
  bool stopping = false;
  std::thread maintenance;
  bool shut_down = false;

  int64_t Now() const { return options.clock->NowUnixSeconds(); }

  std::shared_ptr<const View> Snapshot() const {
    std::lock_guard<std::mutex> lock(view_mu);
    return view;
  }

  // Called on the writer thread after a commit (and once at start).
  void Publish(const EcsState& state, const std::optional<Manifest>& manifest) {
    std::shared_ptr<const View> current = Snapshot();
    const bool same_manifest = current && current->manifest.has_value() == manifest.has_value() &&
                               (!manifest.has_value() || current->manifest->sha256 == manifest->sha256);
    const bool same_ca = current && current->intermediate_pem == state.intermediate_certificate_pem;
    if (same_manifest && same_ca) return;
    auto next = std::make_shared<View>();
    next->manifest = manifest;
    next->intermediate_pem = state.intermediate_certificate_pem;
    if (same_ca) {
      next->ca = current->ca;
    } else {
      auto ca = CertificateAuthority::FromState(state);
      if (!ca.ok()) {
        Log(LogLevel::kError, "ecs", "cannot load the CA of the committed state: " + ca.status().ToString());
        if (current) next->ca = current->ca;
      } else {
        next->ca = *ca;
      }
    }
    std::lock_guard<std::mutex> lock(view_mu);
    view = std::move(next);
  }

  Result<std::shared_ptr<const net::TlsContext>> MakeTlsContext() {
    attest::RaTlsCertificateOptions certificate;
    certificate.common_name = "s3ml ECS";
    certificate.lifetime_seconds = options.tls_certificate_lifetime_seconds;
    S3ML_ASSIGN_OR_RETURN(attest::RaTlsCredentials credentials,
                          attest::CreateRaTlsCertificate(*options.platform, certificate, *options.clock));
    net::TlsServerOptions tls;
    tls.certificate_chain_pem = credentials.certificate_pem;
    tls.private_key_pem.assign(reinterpret_cast<const char*>(credentials.private_key_pem.data()),
                               credentials.private_key_pem.size());
    tls.client_certificate = net::ClientCertificateMode::kRequest;
    tls.verifier = CallerPeerVerifier(options.enclave_verifier);
    tls.clock = options.clock;
    auto context = net::TlsContext::CreateServer(tls);
    std::fill(tls.private_key_pem.begin(), tls.private_key_pem.end(), '\0');
    if (!context.ok()) return context.status();
    std::lock_guard<std::mutex> lock(view_mu);
    tls_pem = credentials.certificate_pem;
    tls_renew_at = Now() + options.tls_certificate_lifetime_seconds / 2;
    return context;
  }

  // ---- handlers ----

  void Health(const HttpRequest& request, HttpResponder respond) {
    if (request.path == "/v1/health/live") {
      respond(JsonResponse(200, json{{"status", "live"}}));
    } else if (writer->failed()) {
      respond(JsonResponse(503, json{{"status", "not ready"}, {"error", "state commit failed"}}));
    } else {
      respond(JsonResponse(200, json{{"status", "ready"}}));
    }
  }

  void GetManifest(HttpResponder respond) {
    auto current = Snapshot();
    if (!current->manifest.has_value()) {
      respond(HttpResponse::Error(404, "no manifest has been set"));
      return;
    }
    const Manifest& m = *current->manifest;
    respond(JsonResponse(
        200, json{{"manifest", Base64Encode(m.bytes)}, {"manifest_sha256", HexEncode(m.sha256)}, {"version", m.version}}));
  }

  void PutManifest(HttpRequest request, HttpResponder respond) {
    std::optional<std::string> signature;
    if (auto header = request.headers.Get(kOwnerSignatureHeader)) signature = std::string(*header);
    const int64_t now = Now();
    auto body = std::make_shared<std::string>(std::move(request.body));
    writer->Submit(
        [body, signature, now](StateWriter::Context& context, bool* changed) -> HttpResponse {
          std::optional<std::string_view> header;
          if (signature) header = *signature;
          auto next = CheckManifestUpdate(context.manifest, *body, header);
          if (!next.ok()) return StatusResponse(next.status());
          json detail{{"version", next->version}, {"manifest_sha256", HexEncode(next->sha256)}};
          const bool first = !context.manifest.has_value();
          if (!first) detail["previous_manifest_sha256"] = HexEncode(context.manifest->sha256);
          context.state.manifest = next->bytes;
          context.state.audit.Append(now, first ? "manifest_set" : "manifest_update", detail);
          json answer{{"manifest_sha256", HexEncode(next->sha256)}, {"version", next->version}};
          Log(LogLevel::kInfo, "ecs",
              std::string(first ? "manifest set" : "manifest updated") + " version=" + std::to_string(next->version) +
                  " sha256=" + HexEncode(next->sha256));
          context.manifest = std::move(next).value();
          *changed = true;
          return JsonResponse(200, answer);
        },
        respond);
  }

  void Attestation(const HttpRequest& request, HttpResponder respond) {
    auto nonce = ParseNonceQuery(request.query);
    if (!nonce.ok()) {
      respond(StatusResponse(nonce.status()));
      return;
    }
    auto current = Snapshot();
    std::optional<std::string> manifest;
    if (current->manifest.has_value()) manifest = current->manifest->bytes;
    tee::Platform* platform = options.platform;
    bool posted = runner->Post([platform, current, manifest, nonce = std::move(nonce).value(), respond] {
      auto body = BuildAttestationResponse(*platform, current->ca->root_pem(), current->ca->root_der(), manifest, nonce);
      if (!body.ok()) {
        Log(LogLevel::kError, "ecs", "client attestation failed: " + body.status().ToString());
        respond(HttpResponse::Error(503, body.status().message()));
        return;
      }
      respond(JsonResponse(200, *body));
    });
    if (!posted) respond(HttpResponse::Error(503, "the ECS is busy; retry"));
  }

  void Refuse(std::string reason, json detail, HttpResponder respond) {
    const int64_t now = Now();
    detail["reason"] = reason;
    Log(LogLevel::kInfo, "ecs", "provisioning refused: " + reason);
    writer->Submit(
        [reason, detail, now](StateWriter::Context& context, bool* changed) -> HttpResponse {
          context.state.audit.Append(now, "provision_refused", detail);
          *changed = true;
          return HttpResponse::Error(403, reason);
        },
        respond);
  }

  void Provision(HttpRequest request, HttpResponder respond) {
    const Caller* caller = CallerOf(request);
    if (caller == nullptr) {
      respond(HttpResponse::Error(401, "provisioning needs an RA-TLS client certificate"));
      return;
    }
    if (caller->kind != Caller::Kind::kEnclave) {
      respond(HttpResponse::Error(403, "provisioning refused: the client certificate is not an RA-TLS certificate"));
      return;
    }
    Status body = CheckProvisionRequestBody(request.body);
    if (!body.ok()) {
      respond(StatusResponse(body));
      return;
    }
    auto current = Snapshot();
    if (!current->manifest.has_value()) {
      respond(HttpResponse::Error(503, "the ECS has no manifest yet"));
      return;
    }
    json client{{"client_key_sha256", HexEncode(crypto::Sha256(caller->spki_der))}};
    if (!caller->enclave.has_value()) {
      Refuse("provisioning refused: " + caller->enclave_refusal.message(), client, respond);
      return;
    }
    const EnclavePeer& peer = *caller->enclave;
    json detail = EnclaveDetail(peer.quote);
    detail["client_key_sha256"] = client["client_key_sha256"];
    auto matched = MatchIdentity(*current->manifest, peer.quote);
    if (!matched.ok()) {
      Refuse(matched.status().message(), detail, respond);
      return;
    }
    const int64_t now = Now();
    auto certificate = ServiceCertificateFor(current, now);
    if (!certificate.ok()) {
      Log(LogLevel::kError, "ecs", "service certificate: " + certificate.status().ToString());
      respond(HttpResponse::Error(500, "the ECS could not issue the service certificate"));
      return;
    }
    const std::string identity_name = (*matched)->name;
    detail["identity"] = identity_name;
    detail["not_after"] = certificate->not_after;
    writer->Submit(
        [current, identity_name, detail, now, certificate = std::move(certificate).value()](
            StateWriter::Context& context, bool* changed) mutable -> HttpResponse {
          // The decision used the published view; the state may have moved on since.
          if (!context.manifest.has_value() || context.manifest->sha256 != current->manifest->sha256 ||
              context.state.intermediate_certificate_pem != current->intermediate_pem) {
            return HttpResponse::Error(503, "the ECS configuration changed during the request; retry");
          }
          const ManifestIdentity* identity = nullptr;
          for (const auto& candidate : context.manifest->identities) {
            if (candidate.name == identity_name) identity = &candidate;
          }
          if (identity == nullptr) return HttpResponse::Error(503, "identity vanished; retry");
          json answer = BuildProvisioningResponse(*identity, *context.manifest, certificate, current->ca->root_pem(),
                                                  context.state.service_private_key_pem, context.state.model_keys);
          json released = json::array();
          for (const auto& item : answer["models"].items()) released.push_back(item.key());
          detail["models"] = released;
          context.state.audit.Append(now, "provision", detail);
          *changed = true;
          return JsonResponse(200, answer);
        },
        respond);
  }

  // The certificate is the same for every instance (same key, same SANs), so issuing one per
  // provisioning (an ECDSA P-384 signature and a chain in PEM) is wasted work: one is reused for
  // all callers while more than 2/3 of its lifetime is left, i.e. until its renew_after minus
  // 1/3 lifetime. Every caller thus gets at least 2/3 of the lifetime and a renew_after in the
  // future; a new manifest (SANs, lifetime) or intermediate CA gets a new certificate at once.
  Result<ServiceCertificate> ServiceCertificateFor(const std::shared_ptr<const View>& current, int64_t now) {
    std::lock_guard<std::mutex> lock(certificate_mu);
    const int64_t lifetime = current->manifest->certificate_lifetime_seconds;
    if (issued.has_value() && issued->view->ca == current->ca &&
        issued->view->manifest->sha256 == current->manifest->sha256 && now >= issued->issued_at &&
        (issued->certificate.not_after - now) * 3 > lifetime * 2) {
      return issued->certificate;
    }
    S3ML_ASSIGN_OR_RETURN(ServiceCertificate fresh, current->ca->IssueServiceCertificate(*current->manifest, now));
    issued = IssuedCertificate{current, now, fresh};
    return fresh;
  }

  void PutModelKey(HttpRequest request, HttpResponder respond) {
    const std::string model(request.PathParam("name"));
    auto caller = std::make_shared<std::optional<Caller>>();
    if (const Caller* c = CallerOf(request)) *caller = *c;
    const int64_t now = Now();
    auto body = std::make_shared<std::string>(std::move(request.body));
    writer->Submit(
        [model, caller, body, now](StateWriter::Context& context, bool* changed) -> HttpResponse {
          if (auto refused = CheckOwner(caller->has_value() ? &**caller : nullptr, context.manifest)) return *refused;
          if (!context.manifest->MentionsModel(model)) {
            return HttpResponse::Error(404, "model \"" + model + "\" is not in any identity's models");
          }
          auto parsed = ParseStrictJson(*body, "model key request");
          if (!parsed.ok()) return StatusResponse(parsed.status());
          if (!parsed->is_object() || parsed->size() != 1 || !parsed->contains("key") || !(*parsed)["key"].is_string()) {
            return HttpResponse::Error(400, "model key request must be {\"key\": \"<base64 32 bytes>\"}");
          }
          auto key = Base64Decode((*parsed)["key"].get_ref<const std::string&>(), 64);
          if (!key.ok() || key->size() != 32) return HttpResponse::Error(400, "key must be 32 bytes in base64");
          const bool replaced = context.state.model_keys.count(model) > 0;
          context.state.model_keys.insert_or_assign(model, crypto::SecretBytes(*key));
          std::fill(key->begin(), key->end(), 0);
          context.state.audit.Append(now, "model_key_set", json{{"model", model}, {"replaced", replaced}});
          *changed = true;
          Log(LogLevel::kInfo, "ecs", "model key set for " + model);
          return JsonResponse(200, json{{"model", model}});
        },
        respond);
  }

  void GenerateModelKey(const HttpRequest& request, HttpResponder respond) {
    const std::string model(request.PathParam("name"));
    auto caller = std::make_shared<std::optional<Caller>>();
    if (const Caller* c = CallerOf(request)) *caller = *c;
    const int64_t now = Now();
    writer->Submit(
        [model, caller, now](StateWriter::Context& context, bool* changed) -> HttpResponse {
          if (auto refused = CheckOwner(caller->has_value() ? &**caller : nullptr, context.manifest)) return *refused;
          if (!context.manifest->MentionsModel(model)) {
            return HttpResponse::Error(404, "model \"" + model + "\" is not in any identity's models");
          }
          if (context.state.model_keys.count(model) > 0) {
            return HttpResponse::Error(409, "model \"" + model + "\" already has a key");
          }
          auto key = crypto::RandomSecret(32);
          if (!key.ok()) return HttpResponse::Error(500, "no randomness");
          json answer{{"model", model}, {"key", Base64Encode(key->span())}};
          context.state.model_keys.emplace(model, std::move(key).value());
          context.state.audit.Append(now, "model_key_generated", json{{"model", model}});
          *changed = true;
          Log(LogLevel::kInfo, "ecs", "model key generated for " + model);
          return JsonResponse(200, answer);
        },
        respond);
  }

  void GetAudit(const HttpRequest& request, HttpResponder respond) {
    auto caller = std::make_shared<std::optional<Caller>>();
    if (const Caller* c = CallerOf(request)) *caller = *c;
    writer->Submit(
        [caller](StateWriter::Context& context, bool*) -> HttpResponse {
          if (auto refused = CheckOwner(caller->has_value() ? &**caller : nullptr, context.manifest)) return *refused;
          json body = context.state.audit.ToJson();
          // What state.s3ml anchors: entries up to it cannot be cut off unnoticed, later ones
          // only by a disk-level truncation that the owner sees by comparing with earlier reads.
          body["anchor"] = AuditAnchorJson(context.state.audit_anchor);
          return JsonResponse(200, body);
        },
        respond);
  }

  Result<net::Router> MakeRouter() {
    net::Router router;
    auto add = [&](const char* method, const char* pattern, net::HttpHandler handler) -> Status {
      return router.Add(method, pattern, std::move(handler));
    };
    S3ML_RETURN_IF_ERROR(add("GET", "/v1/health/live", [this](HttpRequest r, HttpResponder s) { Health(r, s); }));
    S3ML_RETURN_IF_ERROR(add("GET", "/v1/health/ready", [this](HttpRequest r, HttpResponder s) { Health(r, s); }));
    S3ML_RETURN_IF_ERROR(add("GET", "/v1/manifest", [this](HttpRequest, HttpResponder s) { GetManifest(s); }));
    S3ML_RETURN_IF_ERROR(
        add("PUT", "/v1/manifest", [this](HttpRequest r, HttpResponder s) { PutManifest(std::move(r), s); }));
    S3ML_RETURN_IF_ERROR(add("GET", "/v1/attestation", [this](HttpRequest r, HttpResponder s) { Attestation(r, s); }));
    S3ML_RETURN_IF_ERROR(
        add("POST", "/v1/provision", [this](HttpRequest r, HttpResponder s) { Provision(std::move(r), s); }));
    S3ML_RETURN_IF_ERROR(
        add("PUT", "/v1/models/{name}/key", [this](HttpRequest r, HttpResponder s) { PutModelKey(std::move(r), s); }));
    S3ML_RETURN_IF_ERROR(
        add("POST", "/v1/models/{name}/key", [this](HttpRequest r, HttpResponder s) { GenerateModelKey(r, s); }));
    S3ML_RETURN_IF_ERROR(add("GET", "/v1/audit", [this](HttpRequest r, HttpResponder s) { GetAudit(r, s); }));
    return router;
  }

  // ---- maintenance: RA-TLS certificate and intermediate CA renewal ----

  void Maintain() {
    std::unique_lock<std::mutex> lock(maintenance_mu);
    while (!stopping) {
      maintenance_wake.wait_for(lock, options.maintenance_interval);
      if (stopping) return;
      lock.unlock();
      int64_t renew_at;
      {
        std::lock_guard<std::mutex> view_lock(view_mu);
        renew_at = tls_renew_at;
      }
      if (Now() >= renew_at) {
        runner->Post([this] {
          auto context = MakeTlsContext();
          Status replaced = context.ok() ? server->ReplaceTlsContext(*context) : context.status();
          Log(replaced.ok() ? LogLevel::kInfo : LogLevel::kError, "ecs",
              replaced.ok() ? "RA-TLS server certificate renewed" : "RA-TLS renewal failed: " + replaced.ToString());
        });
      }
      const int64_t now = Now();
      writer->Submit(
          [now](StateWriter::Context& context, bool* changed) -> HttpResponse {
            auto renewed = RenewIntermediateIfDue(context.state, now);
            if (!renewed.ok()) return HttpResponse::FromStatus(renewed.status());
            *changed = *renewed;
            if (*renewed) Log(LogLevel::kInfo, "ecs", "intermediate CA re-issued");
            return HttpResponse::Json(200, "{}");
          },
          [](HttpResponse response) {
            if (response.status != 200) Log(LogLevel::kError, "ecs", "intermediate renewal: " + response.body);
          });
      lock.lock();
    }
  }
};

EcsService::EcsService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EcsService::~EcsService() { Shutdown(std::chrono::milliseconds(0)); }

Result<std::unique_ptr<EcsService>> EcsService::Start(EcsServiceOptions options, EcsState state) {
  if (options.platform == nullptr || options.clock == nullptr || !options.enclave_verifier || !options.commit) {
    return InvalidArgument("ECS service: platform, clock, enclave verifier and commit are required");
  }
  std::optional<Manifest> manifest;
  if (state.manifest.has_value()) {
    auto parsed = ParseManifest(*state.manifest);
    if (!parsed.ok()) return DataLoss("the stored manifest does not parse: " + parsed.status().message());
    manifest = std::move(parsed).value();
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  Impl* self = impl.get();
  self->Publish(state, manifest);
  if (!self->Snapshot()->ca) return FailedPrecondition("the ECS state has no usable CA");

  S3ML_ASSIGN_OR_RETURN(auto tls, self->MakeTlsContext());
  self->writer = std::make_unique<StateWriter>(
      std::move(state), std::move(manifest), self->options.commit,
      [self](const EcsState& s, const std::optional<Manifest>& m) { self->Publish(s, m); });
  self->runner = std::make_unique<TaskRunner>();
  S3ML_ASSIGN_OR_RETURN(net::Router router, self->MakeRouter());
  net::HttpServerOptions server_options;
  server_options.address = self->options.address;
  server_options.port = self->options.port;
  server_options.io_threads = self->options.io_threads;
  server_options.tls = std::move(tls);
  server_options.max_body_bytes = self->options.max_body_bytes;
  self->server = std::make_unique<net::HttpServer>(server_options, std::move(router));
  Status started = self->server->Start();
  if (!started.ok()) {
    self->writer->Stop();
    self->runner->Stop();
    return started;
  }
  self->maintenance = std::thread([self] { self->Maintain(); });
  return std::unique_ptr<EcsService>(new EcsService(std::move(impl)));
}

uint16_t EcsService::port() const { return impl_->server->port(); }

std::string EcsService::tls_certificate_pem() const {
  std::lock_guard<std::mutex> lock(impl_->view_mu);
  return impl_->tls_pem;
}

void EcsService::Shutdown(std::chrono::milliseconds grace) {
  if (!impl_ || impl_->shut_down) return;
  impl_->shut_down = true;
  {
    std::lock_guard<std::mutex> lock(impl_->maintenance_mu);
    impl_->stopping = true;
    impl_->maintenance_wake.notify_all();
  }
  if (impl_->maintenance.joinable()) impl_->maintenance.join();
  impl_->server->Shutdown(grace);
  impl_->runner->Stop();
  impl_->writer->Stop();
}

}  // namespace s3ml::ecs
