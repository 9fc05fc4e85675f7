// AuditLog: an append-only, hash-chained record of every manifest change, key release and
// refusal (docs/protocol.md "Audit entry"). In memory it is the whole chain; on disk it lives in
// the sealed, append-only audit journal (audit_journal.h) that the encrypted state anchors. The
// chain lets the owner check that no entry was removed, reordered or altered after they read it.
//
//   hash = SHA-256(prev_hash || u64le seq || u64le time || event || 0x00 || compact sorted JSON detail)
//   the first entry's prev_hash is 32 zero bytes; seq counts from 0 without gaps.
//
// `detail` must never hold key material (callers pass identities, names, reasons, hashes).
#ifndef S3ML_ECS_AUDIT_LOG_H_
#define S3ML_ECS_AUDIT_LOG_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace s3ml::ecs {

struct AuditEntry {
  uint64_t seq = 0;
  int64_t time = 0;
  std::string event;
  nlohmann::json detail;  // an object
  std::array<uint8_t, 32> prev_hash{};
  std::array<uint8_t, 32> hash{};
};

// What a committed state.s3ml records of the audit journal (audit_journal.h): how many entries
// and journal bytes it had, and the last entry's hash (zero when empty). Entries up to the
// anchor cannot be removed, altered or truncated unnoticed; see audit_journal.h for the tail.
struct AuditAnchor {
  uint64_t count = 0;
  uint64_t journal_bytes = 0;
  std::array<uint8_t, 32> head{};
  bool operator==(const AuditAnchor&) const = default;
};

// GET /v1/audit's "anchor" member: {"count": N, "head_hash": "<hex32>"}, for the owner to compare
// with the entries and with what they saw before.
nlohmann::json AuditAnchorJson(const AuditAnchor& anchor);

class AuditLog {
 public:
  // Appends an entry chained to the last one. REQUIRES: event is non-empty without NUL bytes (a
  // constant of the caller's). detail should be an object: null becomes {}, any other value is
  // stored as {"value": detail}; strings with invalid UTF-8 are stored with U+FFFD replacements.
  void Append(int64_t time, std::string_view event, nlohmann::json detail);

  const std::vector<AuditEntry>& entries() const { return entries_; }
  // The last entry's hash (32 zero bytes when empty).
  std::array<uint8_t, 32> head() const;

  // {"entries": [...]} as in docs/protocol.md, hashes in hex.
  nlohmann::json ToJson() const;
  // Parses the ToJson form and verifies the whole chain (kDataLoss naming the first bad seq).
  // An "anchor" member (GET /v1/audit's, see AuditAnchorJson) is allowed and ignored.
  static Result<AuditLog> FromJson(const nlohmann::json& json);
  // Takes already parsed entries and verifies the whole chain (kDataLoss as FromJson).
  static Result<AuditLog> FromEntries(std::vector<AuditEntry> entries);

  // Recomputes every hash and link: kDataLoss "audit log entry N: ..." at the first break.
  Status Verify() const;

 private:
  std::vector<AuditEntry> entries_;
};

std::array<uint8_t, 32> AuditEntryHash(const AuditEntry& entry);

// One entry in its wire form (docs/protocol.md "Audit entry") and back. The parse checks members
// and types only (kDataLoss "audit log entry <index>: ..."); the chain is checked by Verify.
nlohmann::json AuditEntryToJson(const AuditEntry& entry);
Result<AuditEntry> AuditEntryFromJson(const nlohmann::json& json, size_t index);

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_AUDIT_LOG_H_
