// AuditJournal: the ECS's audit log on disk, an append-only file of sealed records (DIR/audit.s3ml)
// next to the state. A provisioning appends its entry here (one write + one fdatasync for every
// entry of a StateWriter batch) instead of rewriting the whole state; state.s3ml is rewritten only
// when the configuration changes, and then anchors the journal (AuditAnchor: entry count, byte
// length, head hash; state_codec.h).
//
// Layout (integers little-endian):
//   header  "S3MLAUDT" (8) | u16 format version (1) | journal id (32)
//   record  u32 length L | nonce (12) | AES-256-GCM ciphertext | tag (16)        (L = 28 + ciphertext)
// The record key is HKDF-SHA256(state key, salt "", info "s3ml-ecs-audit-journal-key-v1"), the
// journal id HKDF-SHA256(state key, "", "s3ml-ecs-audit-journal-id-v1"): a journal is readable
// exactly where its state is (sealed key on the same host, or the recovery key on a new one). A
// record's plaintext is one audit entry in its wire form (docs/protocol.md "Audit entry", compact
// JSON) and its AAD is "S3MLAUDT" | u64 seq, so a record cannot be moved to another position.
// The hash chain is the protocol's, unchanged.
//
// What Open detects (kDataLoss naming the record), given the anchor of the committed state:
//   - a record altered, or copied from another deployment's journal (authentication fails), or
//     a whole journal of another deployment (its header's journal id differs),
//   - a record removed, inserted or reordered anywhere (seq in the AAD, chain),
//   - the journal cut before the anchor (fewer entries/bytes than anchored, or another head hash),
//     or missing while the state anchors entries.
// What it cannot detect: removal of whole records AFTER the last anchor (a tail truncation on a
// record boundary). Entries appended since the last state commit are protected by the chain and
// the record key against alteration, but whoever controls the disk can cut them off the end; an
// incomplete or unauthenticated last record after the anchor is taken for a torn write (crash
// during append; it was never acknowledged) and cut off as well. The owner detects such a cut by
// comparing GET /v1/audit (entries and "anchor") with the head hash and count seen earlier: the
// chain only ever grows. Replacing the whole directory with an older copy is the StateStore's
// documented limitation (no monotonic counter).
//
// Durability: Append returns after fdatasync (and, for a new file, fsync of file and directory),
// so an acknowledged entry survives a crash. Not thread-safe: the StateStore serialises calls.
#ifndef S3ML_ECS_AUDIT_JOURNAL_H_
#define S3ML_ECS_AUDIT_JOURNAL_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "crypto/aes_gcm.h"
#include "crypto/secret_bytes.h"
#include "ecs/audit_log.h"

namespace s3ml::ecs {

inline constexpr uint16_t kAuditJournalFormatVersion = 1;
// A record holds one entry; entries are small (identities, names, reasons, hashes).
inline constexpr size_t kMaxAuditRecordSize = 1u << 20;

class AuditJournal {
 public:
  // Reads and verifies the journal at `path` against `anchor`, cuts off a torn tail after the
  // anchor, and returns the journal ready for appends; *entries gets every entry, in order,
  // chain verified. A missing file is an empty journal (created at the first Append) unless the
  // anchor counts entries. `state_key` is the 32-byte state key.
  static Result<std::unique_ptr<AuditJournal>> Open(const std::string& path, std::span<const uint8_t> state_key,
                                                    const AuditAnchor& anchor, std::vector<AuditEntry>* entries);
  // A new, empty journal replacing whatever is at `path` (first commit of a fresh state key).
  static Result<std::unique_ptr<AuditJournal>> Create(const std::string& path, std::span<const uint8_t> state_key);
  ~AuditJournal();
  AuditJournal(const AuditJournal&) = delete;
  AuditJournal& operator=(const AuditJournal&) = delete;

  // Appends the entries (which must continue the chain: seq = count(), prev_hash = head()) with
  // one write and one fdatasync. On error the journal refuses further appends (kUnavailable):
  // what reached the disk is unknown until the next Open.
  Status Append(std::span<const AuditEntry> entries);

  // The anchor describing the journal now.
  AuditAnchor anchor() const { return AuditAnchor{count_, bytes_, head_}; }

 private:
  AuditJournal(std::string path, crypto::Aes256Gcm aead);
  Status OpenForAppend(bool create);

  std::string path_;
  crypto::Aes256Gcm aead_;
  int fd_ = -1;
  bool broken_ = false;
  uint64_t count_ = 0;
  uint64_t bytes_ = 0;  // file length, header included (0: the file does not exist yet)
  std::array<uint8_t, 32> head_{};
  std::array<uint8_t, 32> id_{};
};

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_AUDIT_JOURNAL_H_
