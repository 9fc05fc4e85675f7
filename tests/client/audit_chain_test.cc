// The owner-side check of the ECS audit log (docs/protocol.md, "Audit entry").
#include <gtest/gtest.h>

#include "client/ecs_client.h"
#include "core/hex.h"
#include "crypto/digest.h"

namespace s3ml::client {
namespace {

std::vector<AuditEntry> Chain(size_t n) {
  std::vector<AuditEntry> entries;
  std::array<uint8_t, 32> prev{};
  for (size_t i = 0; i < n; ++i) {
    AuditEntry e;
    e.seq = i;
    e.time = 1767225600 + static_cast<int64_t>(i);
    e.event = i == 0 ? "first_boot" : "provision";
    e.detail_json = R"({"identity":"model-server","n":)" + std::to_string(i) + "}";
    e.prev_hash = prev;
    e.hash = AuditEntryHash(e);
    prev = e.hash;
    entries.push_back(e);
  }
  return entries;
}

TEST(AuditChainTest, HashIsTheProtocolsFormula) {
  AuditEntry e;
  e.seq = 1;
  e.time = 2;
  e.event = "manifest_set";
  e.detail_json = R"({"a":1})";
  e.prev_hash.fill(0x11);
  std::vector<uint8_t> m(32, 0x11);
  for (int b : {1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}) m.push_back(static_cast<uint8_t>(b));
  for (char c : std::string("manifest_set")) m.push_back(static_cast<uint8_t>(c));
  m.push_back(0);
  for (char c : std::string(R"({"a":1})")) m.push_back(static_cast<uint8_t>(c));
  EXPECT_EQ(AuditEntryHash(e), crypto::Sha256(m));
}

TEST(AuditChainTest, IntactChainVerifies) {
  EXPECT_TRUE(VerifyAuditChain(Chain(5)).ok());
  EXPECT_TRUE(VerifyAuditChain({}).ok());
  // A suffix (entries from a later seq) verifies too: the caller may page.
  auto chain = Chain(5);
  EXPECT_TRUE(VerifyAuditChain({chain.begin() + 2, chain.end()}).ok());
}

TEST(AuditChainTest, RemovedReorderedOrAlteredEntriesAreDataLoss) {
  auto removed = Chain(5);
  removed.erase(removed.begin() + 2);
  auto swapped = Chain(5);
  std::swap(swapped[1], swapped[2]);
  auto altered = Chain(5);
  altered[3].detail_json = R"({"identity":"intruder","n":3})";
  auto rehashed = Chain(5);  // altered and re-hashed: the next entry's prev_hash no longer fits
  rehashed[3].detail_json = R"({"identity":"intruder","n":3})";
  rehashed[3].hash = AuditEntryHash(rehashed[3]);
  auto bad_first = Chain(2);
  bad_first[0].prev_hash[0] = 1;
  bad_first[0].hash = AuditEntryHash(bad_first[0]);
  bad_first[1].prev_hash = bad_first[0].hash;
  bad_first[1].hash = AuditEntryHash(bad_first[1]);
  for (const auto* chain : {&removed, &swapped, &altered, &rehashed, &bad_first}) {
    EXPECT_EQ(VerifyAuditChain(*chain).code(), StatusCode::kDataLoss);
  }
}

}  // namespace
}  // namespace s3ml::client
