// AuditLog: an append-only, hash-chained record of every manifest change, key release and
// refusal (docs/protocol.md "Audit entry"). It lives inside the encrypted ECS state; the chain
// lets the owner check that no entry was removed, reordered or altered after they read it.
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

class AuditLog {
 public:
  // Appends an entry chained to the last one.
  void Append(int64_t time, std::string_view event, nlohmann::json detail);

  const std::vector<AuditEntry>& entries() const { return entries_; }
  // The last entry's hash (32 zero bytes when empty).
  std::array<uint8_t, 32> head() const;

  // {"entries": [...]} as in docs/protocol.md, hashes in hex.
  nlohmann::json ToJson() const;
  // Parses the ToJson form and verifies the whole chain (kDataLoss naming the first bad seq).
  static Result<AuditLog> FromJson(const nlohmann::json& json);

  // Recomputes every hash and link: kDataLoss "audit log entry N: ..." at the first break.
  Status Verify() const;

 private:
  std::vector<AuditEntry> entries_;
};

std::array<uint8_t, 32> AuditEntryHash(const AuditEntry& entry);

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_AUDIT_LOG_H_
