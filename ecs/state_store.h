// StateStore: the ECS's persistence in its (untrusted) state directory.
//
// Files in DIR:
//   lock          flock()ed for the life of the store: one writer per directory; a second ECS on
//                 the same directory fails with kFailedPrecondition naming the holder's pid.
//   state.s3ml    the serialised EcsState, AES-256-GCM under a random 32-byte state key, with the
//                 state version counter in the AAD; also carries the state key sealed to the ECS
//                 identity (MRSIGNER policy, so a signed upgrade can unseal) and, once a manifest
//                 names a recovery key, wrapped for the owner's recovery public key (ECDH P-384 +
//                 HKDF-SHA-384 + AES-256-GCM, crypto/key_wrap.h).
//   audit.s3ml    the audit log: an append-only journal of sealed records under a key derived
//                 from the state key (audit_journal.h); state.s3ml anchors it (entry count,
//                 length, head hash), so records up to the anchor cannot be removed, altered or
//                 cut off unnoticed (kDataLoss at Load); audit_journal.h says what can happen to
//                 the entries appended after the last anchor.
//   head.s3ml     the last committed version, sealed (MRSIGNER): a state.s3ml older than it is a
//                 rollback and is refused. The head is written after the state, so after a crash
//                 it lags by at most one commit (then the newer state is accepted and Load
//                 brings the head up to date). It also records the state file's SHA-256, so an
//                 uncommitted file of the committed version is refused too.
// Every write is atomic (temp file, fsync, rename, fsync of the directory): a crash at any point
// leaves the previous or the new committed state, never a mix. A Commit that returns an error may
// still have reached the disk (the state was written, the head was not): it becomes visible at
// the next Load, like a commit whose acknowledgement was lost. Byte layouts: ecs/state_file.h.
//
// A missing head.s3ml next to an existing state.s3ml is refused (kDataLoss): deleting the head
// must not open the door to a rollback. Recover is the way out.
//
// Limitation: replacing the whole directory (state and head) with an older copy cannot be detected
// without a platform monotonic counter, which SGX no longer offers; README says so.
//
// Not thread-safe: the ECS serialises its calls (one state, one writer).
//
// Errors: kDataLoss for a tampered or truncated file, kPermissionDenied for a state sealed on
// another host or by another signer ("state belongs to another host or ECS signer: use recover"),
// kFailedPrecondition for a rollback ("state version N is older than committed version M").
#ifndef S3ML_ECS_STATE_STORE_H_
#define S3ML_ECS_STATE_STORE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/ec_key.h"
#include "crypto/secret_bytes.h"
#include "ecs/audit_journal.h"
#include "ecs/ecs_state.h"
#include "ecs/seal_key_cache.h"
#include "ecs/state_file.h"
#include "tee/platform.h"

namespace s3ml::ecs {

class StateStore {
 public:
  // Creates DIR (0700) if missing and takes its lock. `platform` must outlive the store.
  static Result<std::unique_ptr<StateStore>> Open(const std::string& dir, tee::Platform& platform);
  ~StateStore();  // releases the lock

  // nullopt when the directory holds no state yet (first boot). The state's audit log is read
  // from the journal and its whole chain verified here, once.
  Result<std::optional<EcsState>> Load();

  // Persists `state`: first appends the audit entries the journal does not hold yet (one write,
  // one fdatasync), then, only if the configuration (everything but the audit log) differs from
  // the committed one, writes state.s3ml as version state.version + 1 anchoring the journal and
  // sets state.version to it. A commit that only added audit entries (a provisioning) costs one
  // append and one fdatasync, whatever the log's length. state.audit_anchor is set to what
  // state.s3ml anchors afterwards.
  // REQUIRES: Load or Recover ran, state.version is the version last loaded or committed and
  // state.audit extends the journal (else kFailedPrecondition). A state the codec refuses
  // (state_codec.h: missing CA material, bad model key) or a manifest whose recovery_public_key is
  // not a P-384 PEM key is kInvalidArgument and nothing is written. The audit chain itself is
  // not re-verified (AuditLog::Append keeps it; Load verifies it).
  // A crash between the journal append and the state write leaves audit entries whose
  // configuration change never committed: the log records attempts, some unacknowledged.
  Status Commit(EcsState& state);

  // On a new host (or after the sealed key became unreadable): decrypts state.s3ml with the
  // owner's recovery private key (PEM), re-seals the state key for this platform, writes it as
  // version N + 1 with a new head, and returns the state (version N + 1). The head found in the
  // directory is ignored: recovery is the owner's explicit act. kPermissionDenied for a wrong
  // recovery key, kFailedPrecondition for a state that has no recovery wrap yet.
  Result<EcsState> Recover(std::string_view recovery_private_key_pem);

  const std::string& dir() const { return dir_; }

 private:
  StateStore(std::string dir, tee::Platform& platform, int lock_fd);

  std::string path(const char* name) const { return dir_ + "/" + name; }
  Result<std::array<uint8_t, 32>> OwnSealCheck();
  Result<std::optional<HeadRecord>> ReadHead();
  Status WriteHead(const HeadRecord& head);
  Status WriteStateFile(const StateFileHeader& header, std::span<const uint8_t> plaintext);
  Status WriteStateIfChanged(EcsState& state, const std::optional<crypto::EcKey>& recovery_key);
  Status OpenJournal(const crypto::SecretBytes& state_key, EcsState& state);

  std::string dir_;
  SealKeyCache platform_;  // seal keys asked for once per process, not per commit
  int lock_fd_;

  // What the last Load, Commit or Recover established.
  bool loaded_ = false;
  uint64_t committed_version_ = 0;  // 0: no state.s3ml yet
  bool head_exists_ = false;
  crypto::SecretBytes state_key_;  // empty until the first commit
  std::vector<uint8_t> sealed_state_key_;
  std::array<uint8_t, 32> seal_check_{};
  std::vector<uint8_t> recovery_wrap_;
  std::optional<std::array<uint8_t, 32>> own_seal_check_;  // this platform's, computed once
  std::unique_ptr<AuditJournal> journal_;                  // null until a state key exists
  std::array<uint8_t, 32> committed_config_{};             // state_codec config digest of state.s3ml
  AuditAnchor committed_anchor_;                           // what state.s3ml anchors
  // The recovery public key of the manifest last committed (parsing it per commit is waste).
  std::optional<std::optional<std::string>> recovery_key_manifest_;
  std::optional<crypto::EcKey> recovery_key_;
};

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_STATE_STORE_H_
