#include "ecs/audit_log.h"

#include <algorithm>
#include <set>

#include "core/byte_reader.h"
#include "core/hex.h"
#include "crypto/digest.h"

namespace s3ml::ecs {
namespace {

using nlohmann::json;

// Compact with sorted keys (nlohmann's default object is an ordered std::map). Invalid UTF-8 is
// replaced rather than thrown on, so that any detail a caller builds can be hashed and stored.
std::string CanonicalDetail(const json& detail) {
  return detail.dump(-1, ' ', false, json::error_handler_t::replace);
}

void AppendU64Le(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

Status EntryError(size_t index, const std::string& what) {
  return DataLoss("audit log entry " + std::to_string(index) + ": " + what);
}

Result<std::array<uint8_t, 32>> ParseHash(const json& entry, const char* name, size_t index) {
  const auto it = entry.find(name);
  if (it == entry.end() || !it->is_string()) return EntryError(index, std::string(name) + " is missing or not a string");
  auto bytes = HexDecode(it->get<std::string>());
  if (!bytes.ok() || bytes->size() != 32) return EntryError(index, std::string(name) + " is not 32 bytes of hex");
  std::array<uint8_t, 32> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

}  // namespace

Result<AuditEntry> AuditEntryFromJson(const json& j, size_t index) {
  if (!j.is_object()) return EntryError(index, "is not a JSON object");
  static const std::set<std::string> kMembers = {"seq", "time", "event", "detail", "prev_hash", "hash"};
  for (const auto& [key, value] : j.items()) {
    if (kMembers.count(key) == 0) return EntryError(index, "unknown member '" + key + "'");
  }
  AuditEntry e;
  const auto seq = j.find("seq");
  // A non-negative integer reads as unsigned when parsed from text, as signed when built in code.
  if (seq == j.end() || !seq->is_number_integer() || (!seq->is_number_unsigned() && seq->get<int64_t>() < 0)) {
    return EntryError(index, "seq is missing or not a non-negative integer");
  }
  e.seq = seq->get<uint64_t>();
  const auto time = j.find("time");
  if (time == j.end() || !time->is_number_integer()) return EntryError(index, "time is missing or not an integer");
  if (time->is_number_unsigned() && time->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    return EntryError(index, "time is out of range");
  }
  e.time = time->get<int64_t>();
  const auto event = j.find("event");
  if (event == j.end() || !event->is_string()) return EntryError(index, "event is missing or not a string");
  e.event = event->get<std::string>();
  const auto detail = j.find("detail");
  if (detail == j.end() || !detail->is_object()) return EntryError(index, "detail is missing or not an object");
  e.detail = *detail;
  S3ML_ASSIGN_OR_RETURN(e.prev_hash, ParseHash(j, "prev_hash", index));
  S3ML_ASSIGN_OR_RETURN(e.hash, ParseHash(j, "hash", index));
  return e;
}

json AuditAnchorJson(const AuditAnchor& anchor) {
  return json{{"count", anchor.count}, {"head_hash", HexEncode(anchor.head)}};
}

json AuditEntryToJson(const AuditEntry& e) {
  return json{{"seq", e.seq},
              {"time", e.time},
              {"event", e.event},
              {"detail", e.detail},
              {"prev_hash", HexEncode(e.prev_hash)},
              {"hash", HexEncode(e.hash)}};
}

std::array<uint8_t, 32> AuditEntryHash(const AuditEntry& entry) {
  std::vector<uint8_t> input(entry.prev_hash.begin(), entry.prev_hash.end());
  AppendU64Le(input, entry.seq);
  AppendU64Le(input, static_cast<uint64_t>(entry.time));
  input.insert(input.end(), entry.event.begin(), entry.event.end());
  input.push_back(0);
  const std::string detail = CanonicalDetail(entry.detail);
  input.insert(input.end(), detail.begin(), detail.end());
  return crypto::Sha256(input);
}

void AuditLog::Append(int64_t time, std::string_view event, nlohmann::json detail) {
  AuditEntry e;
  e.seq = entries_.size();
  e.time = time;
  e.event = std::string(event);
  // Normalised through its canonical text so that the in-memory entry equals what FromJson will
  // read back (strings with invalid UTF-8 replaced, non-finite numbers as null).
  if (detail.is_null()) detail = json::object();
  if (!detail.is_object()) detail = json{{"value", std::move(detail)}};
  e.detail = json::parse(CanonicalDetail(detail));
  e.prev_hash = head();
  e.hash = AuditEntryHash(e);
  entries_.push_back(std::move(e));
}

std::array<uint8_t, 32> AuditLog::head() const {
  return entries_.empty() ? std::array<uint8_t, 32>{} : entries_.back().hash;
}

nlohmann::json AuditLog::ToJson() const {
  json entries = json::array();
  for (const AuditEntry& e : entries_) entries.push_back(AuditEntryToJson(e));
  return json{{"entries", std::move(entries)}};
}

Result<AuditLog> AuditLog::FromJson(const nlohmann::json& j) {
  if (!j.is_object()) return DataLoss("audit log is not a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key != "entries" && key != "anchor") return DataLoss("audit log has an unknown member '" + key + "'");
  }
  const auto entries = j.find("entries");
  if (entries == j.end() || !entries->is_array()) return DataLoss("audit log has no \"entries\" array");
  AuditLog log;
  log.entries_.reserve(entries->size());
  for (size_t i = 0; i < entries->size(); ++i) {
    S3ML_ASSIGN_OR_RETURN(AuditEntry e, AuditEntryFromJson((*entries)[i], i));
    log.entries_.push_back(std::move(e));
  }
  S3ML_RETURN_IF_ERROR(log.Verify());
  return log;
}

Result<AuditLog> AuditLog::FromEntries(std::vector<AuditEntry> entries) {
  AuditLog log;
  log.entries_ = std::move(entries);
  S3ML_RETURN_IF_ERROR(log.Verify());
  return log;
}

Status AuditLog::Verify() const {
  std::array<uint8_t, 32> prev{};
  for (size_t i = 0; i < entries_.size(); ++i) {
    const AuditEntry& e = entries_[i];
    if (e.seq != i) {
      return EntryError(i, "seq is " + std::to_string(e.seq) + ", expected " + std::to_string(i) +
                               " (an entry was removed, inserted or reordered)");
    }
    if (e.event.empty() || e.event.find('\0') != std::string::npos) {
      return EntryError(i, "event is empty or contains a NUL byte");
    }
    if (!e.detail.is_object()) return EntryError(i, "detail is not an object");
    if (e.prev_hash != prev) {
      return EntryError(i, i == 0 ? "prev_hash is not zero (the log does not start at its first entry)"
                                  : "prev_hash does not match the hash of entry " + std::to_string(i - 1) +
                                        " (an entry was removed, inserted or reordered)");
    }
    if (AuditEntryHash(e) != e.hash) return EntryError(i, "hash does not match the entry's contents (altered)");
    prev = e.hash;
  }
  return Status::Ok();
}

}  // namespace s3ml::ecs
