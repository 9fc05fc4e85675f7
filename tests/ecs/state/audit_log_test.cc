// The audit log's hash chain: the formula of docs/protocol.md, and every kind of tampering an
// owner must be able to detect (removal, reordering, alteration) named by entry.
#include "ecs/audit_log.h"

#include <gtest/gtest.h>

#include "core/byte_reader.h"
#include "core/hex.h"
#include "crypto/digest.h"

namespace s3ml::ecs {
namespace {

using nlohmann::json;

AuditLog FiveEntries() {
  AuditLog log;
  log.Append(1767225600, "first_boot", json::object());
  log.Append(1767225601, "manifest_set", {{"manifest_sha256", std::string(64, 'a')}, {"version", 1}});
  log.Append(1767225602, "model_key_set", {{"model", "mobilenet_v2"}});
  log.Append(1767225603, "provision", {{"identity", "model-server"}, {"mrenclave", std::string(64, 'b')}});
  log.Append(1767225604, "provision_refused", {{"reason", "DEBUG enclave"}});
  return log;
}

void ExpectDataLossAt(const Result<AuditLog>& r, size_t index, const std::string& what) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("audit log entry " + std::to_string(index) + ":"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find(what), std::string::npos) << r.status().message();
}

TEST(AuditLogTest, HashFollowsTheDocumentedFormula) {
  AuditLog log;
  log.Append(1767225600, "manifest_set", {{"version", 1}, {"a", "x"}});
  const AuditEntry& e = log.entries()[0];
  // SHA-256(prev_hash || u64le seq || u64le time || event || 0x00 || compact sorted JSON)
  std::vector<uint8_t> input(32, 0);
  for (int i = 0; i < 8; ++i) input.push_back(0);  // seq 0
  const uint64_t t = 1767225600;
  for (int i = 0; i < 8; ++i) input.push_back(static_cast<uint8_t>(t >> (8 * i)));
  const std::string tail = std::string("manifest_set") + '\0' + R"({"a":"x","version":1})";
  input.insert(input.end(), tail.begin(), tail.end());
  EXPECT_EQ(HexEncode(e.hash), HexEncode(crypto::Sha256(input)));
  EXPECT_EQ(e.prev_hash, (std::array<uint8_t, 32>{}));
  EXPECT_EQ(log.head(), e.hash);
}

TEST(AuditLogTest, AppendChainsAndVerifies) {
  AuditLog empty;
  EXPECT_TRUE(empty.Verify().ok());
  EXPECT_EQ(empty.head(), (std::array<uint8_t, 32>{}));
  AuditLog log = FiveEntries();
  ASSERT_EQ(log.entries().size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(log.entries()[i].seq, i);
    if (i > 0) {
      EXPECT_EQ(log.entries()[i].prev_hash, log.entries()[i - 1].hash);
    }
  }
  EXPECT_TRUE(log.Verify().ok());
  EXPECT_EQ(log.head(), log.entries()[4].hash);
}

TEST(AuditLogTest, JsonRoundTripKeepsEveryEntry) {
  AuditLog log = FiveEntries();
  const json j = log.ToJson();
  ASSERT_TRUE(j["entries"].is_array());
  EXPECT_EQ(j["entries"][1]["event"], "manifest_set");
  EXPECT_EQ(j["entries"][1]["hash"], HexEncode(log.entries()[1].hash));
  // Through text, as an owner would receive it.
  auto back = AuditLog::FromJson(json::parse(j.dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->entries().size(), 5u);
  EXPECT_EQ(back->head(), log.head());
  EXPECT_EQ(back->ToJson(), j);
  // And an appended entry chains onto the parsed log.
  back->Append(1767225700, "recovered", json::object());
  EXPECT_TRUE(back->Verify().ok());
}

TEST(AuditLogTest, RemovedEntryIsDetected) {
  json j = FiveEntries().ToJson();
  j["entries"].erase(2);
  ExpectDataLossAt(AuditLog::FromJson(j), 2, "seq is 3, expected 2");
  // Renumbering does not help: the link to the previous entry is broken.
  j["entries"][2]["seq"] = 2;
  j["entries"][3]["seq"] = 3;
  ExpectDataLossAt(AuditLog::FromJson(j), 2, "prev_hash does not match the hash of entry 1");
  // Nor does removing the first entry.
  json first_removed = FiveEntries().ToJson();
  first_removed["entries"].erase(0);
  ExpectDataLossAt(AuditLog::FromJson(first_removed), 0, "seq is 1, expected 0");
}

TEST(AuditLogTest, ReorderedEntriesAreDetected) {
  json j = FiveEntries().ToJson();
  std::swap(j["entries"][1], j["entries"][3]);
  ExpectDataLossAt(AuditLog::FromJson(j), 1, "seq is 3, expected 1");
  std::swap(j["entries"][1]["seq"], j["entries"][3]["seq"]);
  ExpectDataLossAt(AuditLog::FromJson(j), 1, "");
}

TEST(AuditLogTest, AlteredEntryIsDetected) {
  const json original = FiveEntries().ToJson();
  json detail = original;
  detail["entries"][3]["detail"]["identity"] = "attacker";
  ExpectDataLossAt(AuditLog::FromJson(detail), 3, "hash does not match the entry's contents");
  json time = original;
  time["entries"][2]["time"] = 1;
  ExpectDataLossAt(AuditLog::FromJson(time), 2, "altered");
  json event = original;
  event["entries"][4]["event"] = "provision";
  ExpectDataLossAt(AuditLog::FromJson(event), 4, "altered");
  json hash = original;
  hash["entries"][1]["hash"] = std::string(64, '0');
  ExpectDataLossAt(AuditLog::FromJson(hash), 1, "altered");
  // Altering an entry and recomputing its hash breaks the next entry's link instead.
  json rehashed = original;
  rehashed["entries"][1]["detail"]["version"] = 2;
  auto partial = AuditLog::FromJson(json{{"entries", json::array({rehashed["entries"][0]})}});
  ASSERT_TRUE(partial.ok());
  AuditEntry forged;
  forged.seq = 1;
  forged.time = rehashed["entries"][1]["time"].get<int64_t>();
  forged.event = rehashed["entries"][1]["event"].get<std::string>();
  forged.detail = rehashed["entries"][1]["detail"];
  forged.prev_hash = partial->head();
  rehashed["entries"][1]["hash"] = HexEncode(AuditEntryHash(forged));
  ExpectDataLossAt(AuditLog::FromJson(rehashed), 2, "prev_hash does not match the hash of entry 1");
}

TEST(AuditLogTest, MalformedJsonIsRefusedWithTheEntryNamed) {
  EXPECT_EQ(AuditLog::FromJson(json::array()).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(AuditLog::FromJson(json::object()).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(AuditLog::FromJson(json{{"entries", json::array()}, {"extra", 1}}).status().code(),
            StatusCode::kDataLoss);
  auto empty = AuditLog::FromJson(json{{"entries", json::array()}});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->entries().empty());

  const json good = FiveEntries().ToJson();
  struct Case {
    const char* member;
    json value;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"seq", -1, "seq is missing or not a non-negative integer"},
      {"seq", "1", "seq is missing"},
      {"time", 1.5, "time is missing or not an integer"},
      {"event", 7, "event is missing or not a string"},
      {"event", "", "event is empty"},
      {"detail", json::array(), "detail is missing or not an object"},
      {"prev_hash", "zz", "prev_hash is not 32 bytes of hex"},
      {"hash", std::string(62, 'a'), "hash is not 32 bytes of hex"},
      {"surprise", 1, "unknown member 'surprise'"},
  };
  for (const Case& c : cases) {
    json j = good;
    j["entries"][2][c.member] = c.value;
    ExpectDataLossAt(AuditLog::FromJson(j), 2, c.message);
  }
  json missing = good;
  missing["entries"][1].erase("hash");
  ExpectDataLossAt(AuditLog::FromJson(missing), 1, "hash is missing");
  json not_object = good;
  not_object["entries"][0] = 5;
  ExpectDataLossAt(AuditLog::FromJson(not_object), 0, "not a JSON object");
}

TEST(AuditLogTest, DetailIsNormalisedSoItRoundTrips) {
  AuditLog log;
  log.Append(1, "provision_refused", json{{"reason", std::string("bad \xff utf8")}});
  log.Append(2, "first_boot", nullptr);
  log.Append(3, "model_key_set", "mobilenet");
  EXPECT_TRUE(log.entries()[1].detail.is_object());
  EXPECT_EQ(log.entries()[2].detail, (json{{"value", "mobilenet"}}));
  auto back = AuditLog::FromJson(json::parse(log.ToJson().dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->head(), log.head());
}

}  // namespace
}  // namespace s3ml::ecs
