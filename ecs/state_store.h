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
//   head.s3ml     the last committed version, sealed (MRSIGNER): a state.s3ml older than it is a
//                 rollback and is refused. The head is written after the state, so after a crash
//                 it lags by at most one commit (then the newer state is accepted and the head
//                 catches up).
// Every write is atomic (temp file, fsync, rename, fsync of the directory): a crash at any point
// leaves the previous or the new committed state, never a mix.
//
// Limitation: replacing the whole directory (state and head) with an older copy cannot be detected
// without a platform monotonic counter, which SGX no longer offers; README says so.
//
// Errors: kDataLoss for a tampered or truncated file, kPermissionDenied for a state sealed on
// another host or by another signer ("state belongs to another host or ECS signer: use recover"),
// kFailedPrecondition for a rollback ("state version N is older than committed version M").
#ifndef S3ML_ECS_STATE_STORE_H_
#define S3ML_ECS_STATE_STORE_H_

#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "ecs/ecs_state.h"
#include "tee/platform.h"

namespace s3ml::ecs {

class StateStore {
 public:
  // Creates DIR (0700) if missing and takes its lock. `platform` must outlive the store.
  static Result<std::unique_ptr<StateStore>> Open(const std::string& dir, tee::Platform& platform);
  ~StateStore();  // releases the lock

  // nullopt when the directory holds no state yet (first boot).
  Result<std::optional<EcsState>> Load();

  // Persists `state` as version state.version + 1 and sets state.version to it on success.
  // REQUIRES: state.version is the version last loaded or committed (else kFailedPrecondition).
  Status Commit(EcsState& state);

  // On a new host (or after the sealed key became unreadable): decrypts state.s3ml with the
  // owner's recovery private key (PEM), re-seals the state key for this platform, writes a new
  // head, and returns the state. kPermissionDenied for a wrong recovery key.
  Result<EcsState> Recover(std::string_view recovery_private_key_pem);

  const std::string& dir() const { return dir_; }

 private:
  StateStore(std::string dir, tee::Platform& platform, int lock_fd);
  std::string dir_;
  tee::Platform& platform_;
  int lock_fd_;
};

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_STATE_STORE_H_
