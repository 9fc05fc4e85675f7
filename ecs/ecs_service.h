// EcsService: the Enclave Configuration Service's HTTPS API (docs/protocol.md "ECS HTTP API").
//
// TLS 1.3 with an RA-TLS server certificate of this enclave (report_data binding zero), renewed
// before it expires; client certificates are requested, not required, and classified in the
// handshake (caller.h): model servers by their quote (EnclaveVerifier: quote, collateral, key
// binding; the manifest's identities are applied by the provision handler), the owner by its key.
//
// State: every change runs on the StateWriter (one writer, group commit, answers only after the
// commit); reads of the manifest and root use a snapshot published after each commit. Quotes for
// client attestation and certificate renewal run on a TaskRunner, never on IO threads. Audit
// entries: manifest_set/manifest_update, provision, provision_refused (with the reason),
// model_key_set, model_key_generated; no key material in the audit log or the logs. A
// provisioning changes only the audit log, so its commit is one journal append (state_store.h).
// The service certificate is shared by all callers while more than 2/3 of its lifetime is left
// (docs/protocol.md "Provisioning"): signing one per provisioning was most of its CPU cost.
// Request bodies are limited to max_body_bytes (413).
#ifndef S3ML_ECS_ECS_SERVICE_H_
#define S3ML_ECS_ECS_SERVICE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "ecs/ecs_state.h"
#include "ecs/enclave_verifier.h"
#include "tee/platform.h"

namespace s3ml::ecs {

struct EcsServiceOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port
  int io_threads = 2;
  uint64_t max_body_bytes = 1u << 20;
  tee::Platform* platform = nullptr;  // required; must outlive the service
  const Clock* clock = nullptr;       // required; must outlive the service
  std::shared_ptr<EnclaveVerifier> enclave_verifier;  // required
  // Persists the state (StateStore::Commit in production). Required.
  std::function<Status(EcsState&)> commit;
  // RA-TLS server certificate lifetime; renewed when half of it has passed.
  int64_t tls_certificate_lifetime_seconds = 24 * 3600;
  // How often renewals (TLS certificate, intermediate CA) are checked.
  std::chrono::seconds maintenance_interval{600};
};

class EcsService {
 public:
  // REQUIRES: `state` holds a CA (CreateCertificateAuthority ran at first boot).
  static Result<std::unique_ptr<EcsService>> Start(EcsServiceOptions options, EcsState state);
  ~EcsService();  // Shutdown(0)
  EcsService(const EcsService&) = delete;
  EcsService& operator=(const EcsService&) = delete;

  uint16_t port() const;
  // Stops accepting, lets in-flight requests finish for up to `grace`, drains the writer.
  void Shutdown(std::chrono::milliseconds grace);
  // The current RA-TLS server certificate (PEM).
  std::string tls_certificate_pem() const;

 private:
  struct Impl;
  explicit EcsService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_ECS_SERVICE_H_
