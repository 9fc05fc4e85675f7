// EcsState: everything the ECS must remember, in memory. It is persisted as one encrypted file by
// StateStore (state_store.h): the configuration as one encrypted file, the audit log as a sealed
// append-only journal. It never leaves the enclave otherwise.
//
// Created at first boot (root CA, intermediate CA, service key: ca_bundle.h makes them); the
// manifest, model keys and audit log grow with the owner's calls and the servers' provisionings.
// Key material is held as PEM in SecretBytes so that it is wiped when the state is released.
#ifndef S3ML_ECS_ECS_STATE_H_
#define S3ML_ECS_ECS_STATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crypto/secret_bytes.h"
#include "ecs/audit_log.h"

namespace s3ml::ecs {

struct EcsState {
  // Bumped by StateStore::Commit; the file's version counter (rollback detection).
  uint64_t version = 0;
  int64_t created_at = 0;

  std::string root_ca_certificate_pem;          // EC P-384, self-signed, stable for the deployment
  crypto::SecretBytes root_ca_private_key_pem;  // PKCS#8
  std::string intermediate_certificate_pem;     // EC P-384, signed by the root, signs service certs
  crypto::SecretBytes intermediate_private_key_pem;
  crypto::SecretBytes service_private_key_pem;  // EC P-256, shared by every model server

  // The exact bytes the owner set (docs/protocol.md "Manifest"); empty before the first one.
  std::optional<std::string> manifest;

  std::map<std::string, crypto::SecretBytes> model_keys;  // model name -> 32-byte AES key

  // The whole chain in memory; on disk in the audit journal (audit_journal.h).
  AuditLog audit;
  // What the committed state.s3ml anchors of the journal; set by StateStore (Load, Commit,
  // Recover), never by the ECS's logic.
  AuditAnchor audit_anchor;

  EcsState Clone() const;
};

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_ECS_STATE_H_
