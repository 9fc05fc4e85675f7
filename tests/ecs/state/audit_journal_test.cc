// AuditJournal (ecs/audit_journal.h) in process: appends survive reopening and kill -9 during
// append; removed, altered, reordered or foreign records and cuts before the anchor are kDataLoss;
// a torn or cut tail after the anchor is dropped (the documented limit). Through StateStore (real
// simulated enclaves) the journal is covered by state_store_test.cc and crash_safety_test.cc.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>
#include <string>
#include <vector>

#include "core/file.h"
#include "crypto/random.h"
#include "ecs/audit_journal.h"
#include "tests/tee/sim_test_env.h"

namespace s3ml::ecs {
namespace {

using nlohmann::json;

constexpr size_t kHeaderSize = 42;

class AuditJournalTest : public ::testing::Test {
 protected:
  tee::testing::TempDir tmp_;
  AuditLog log_;
  std::string path_ = tmp_.path() + "/audit.s3ml";
  crypto::SecretBytes key_ = crypto::RandomSecret(32).value();

  // Appends `n` entries (detail {"i": seq}) to log_ and the journal, `batch` per Append.
  void AppendEntries(AuditJournal& journal, int n, int batch = 1) {
    for (int done = 0; done < n;) {
      const size_t first = log_.entries().size();
      for (int b = 0; b < batch && done < n; ++b, ++done) {
        log_.Append(1767225600 + static_cast<int64_t>(log_.entries().size()), "provision",
                    json{{"i", log_.entries().size()}});
      }
      ASSERT_TRUE(journal.Append(std::span<const AuditEntry>(log_.entries()).subspan(first)).ok());
    }
  }
  std::unique_ptr<AuditJournal> Write(int n, AuditAnchor* anchor = nullptr) {
    log_ = AuditLog();
    auto journal = AuditJournal::Create(path_, key_.span());
    EXPECT_TRUE(journal.ok()) << journal.status().ToString();
    AppendEntries(**journal, n, 2);
    if (anchor != nullptr) *anchor = (*journal)->anchor();
    return std::move(journal).value();
  }
  Result<std::vector<AuditEntry>> Reopen(const AuditAnchor& anchor, const crypto::SecretBytes* key = nullptr) {
    std::vector<AuditEntry> entries;
    auto journal = AuditJournal::Open(path_, (key ? *key : key_).span(), anchor, &entries);
    if (!journal.ok()) return journal.status();
    return entries;
  }
  std::vector<uint8_t> Bytes() { return ReadFileBytes(path_).value(); }
  // Plain rewrite (no fsync: the test does not crash, and it rewrites the file thousands of times).
  void Put(const std::vector<uint8_t>& bytes) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good());
  }
  // [start, end) of each record in the file.
  std::vector<std::pair<size_t, size_t>> Records() {
    const auto b = Bytes();
    std::vector<std::pair<size_t, size_t>> out;
    for (size_t at = kHeaderSize; at + 4 <= b.size();) {
      const size_t len = b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (static_cast<size_t>(b[at + 3]) << 24);
      out.emplace_back(at, at + 4 + len);
      at += 4 + len;
    }
    return out;
  }
  static void ExpectDataLoss(const Result<std::vector<AuditEntry>>& r, const std::string& text) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << r.status().ToString();
    EXPECT_NE(r.status().message().find(text), std::string::npos) << r.status().ToString();
  }
};

TEST_F(AuditJournalTest, EntriesSurviveReopenAndAppendsContinue) {
  AuditAnchor anchor;
  Write(5, &anchor);
  EXPECT_EQ(anchor.count, 5u);
  EXPECT_EQ(anchor.head, log_.head());
  // Nothing of the entries is readable on disk.
  const auto bytes = Bytes();
  EXPECT_EQ(std::string(bytes.begin(), bytes.end()).find("provision"), std::string::npos);

  std::vector<AuditEntry> entries;
  auto journal = AuditJournal::Open(path_, key_.span(), anchor, &entries);
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  ASSERT_EQ(entries.size(), 5u);
  EXPECT_EQ(AuditLog::FromEntries(entries)->ToJson(), log_.ToJson());
  AppendEntries(**journal, 3);
  journal->reset();
  // Entries after the anchor are read too (they were acknowledged after their fdatasync).
  auto all = Reopen(anchor);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(AuditLog::FromEntries(*all)->ToJson(), log_.ToJson());
}

TEST_F(AuditJournalTest, AppendRefusesEntriesThatDoNotContinueTheChain) {
  auto journal = Write(2);
  AuditLog other;
  other.Append(1, "provision", json::object());
  EXPECT_EQ(journal->Append(other.entries()).code(), StatusCode::kFailedPrecondition);
}

TEST_F(AuditJournalTest, RemovedRecordIsDataLossBeforeAndAfterTheAnchor) {
  AuditAnchor anchor;
  Write(6, &anchor);
  const auto records = Records();
  ASSERT_EQ(records.size(), 6u);
  auto bytes = Bytes();
  bytes.erase(bytes.begin() + static_cast<long>(records[2].first), bytes.begin() + static_cast<long>(records[2].second));
  Put(bytes);
  ExpectDataLoss(Reopen(anchor), "record 2");
  ExpectDataLoss(Reopen(AuditAnchor{}), "record 2");  // all after the anchor: the seq in the AAD

  // Records swapped: also caught.
  Write(6, &anchor);
  auto swapped = Bytes();
  const auto r = Records();
  std::vector<uint8_t> out(swapped.begin(), swapped.begin() + static_cast<long>(r[1].first));
  out.insert(out.end(), swapped.begin() + static_cast<long>(r[2].first), swapped.begin() + static_cast<long>(r[2].second));
  out.insert(out.end(), swapped.begin() + static_cast<long>(r[1].first), swapped.begin() + static_cast<long>(r[1].second));
  out.insert(out.end(), swapped.begin() + static_cast<long>(r[3].first), swapped.end());
  Put(out);
  ExpectDataLoss(Reopen(anchor), "record 1");
}

TEST_F(AuditJournalTest, EveryAlteredByteBeforeTheAnchorIsDataLoss) {
  AuditAnchor anchor;
  Write(2, &anchor);
  const auto good = Bytes();
  for (size_t i = 0; i < good.size(); ++i) {
    auto bad = good;
    bad[i] ^= 0x01;
    Put(bad);
    auto r = Reopen(anchor);
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << "byte " << i;
  }
}

TEST_F(AuditJournalTest, AlteredRecordAfterTheAnchorIsDataLossUnlessItIsTheLast) {
  Write(4);
  const auto records = Records();
  auto bytes = Bytes();
  bytes[records[1].first + 20] ^= 0x80;
  Put(bytes);
  ExpectDataLoss(Reopen(AuditAnchor{}), "record 1: failed authentication");
}

TEST_F(AuditJournalTest, CutBeforeTheAnchorIsDataLoss) {
  AuditAnchor anchor;
  Write(5, &anchor);
  const auto records = Records();
  auto bytes = Bytes();
  // On a record boundary and in the middle of a record.
  for (size_t cut : {records[4].first, records[3].first + 7, kHeaderSize, size_t{0}}) {
    Put(std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(cut)));
    auto r = Reopen(anchor);
    ASSERT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << "cut at " << cut << ": " << r.status().ToString();
  }
  ASSERT_EQ(::unlink(path_.c_str()), 0);
  ExpectDataLoss(Reopen(anchor), "missing");
  // Another journal of the same deployment, as long as the anchored one: the head differs.
  log_ = AuditLog();
  auto journal = AuditJournal::Create(path_, key_.span());
  ASSERT_TRUE(journal.ok());
  for (int i = 0; i < 5; ++i) {
    log_.Append(42, "provision_refused", json{{"i", i}});
    ASSERT_TRUE((*journal)->Append(std::span<const AuditEntry>(log_.entries()).last(1)).ok());
  }
  auto other = Reopen(anchor);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kDataLoss);
}

// The documented limit: after the last anchor, a cut on a record boundary cannot be told from a
// journal that never had those records; a torn last record is dropped as a crash's leftover.
TEST_F(AuditJournalTest, TailAfterTheAnchorCanBeCutButNeverAltered) {
  AuditAnchor anchor;
  auto journal = Write(2, &anchor);
  AppendEntries(*journal, 3);
  journal.reset();
  const auto records = Records();
  const auto bytes = Bytes();
  Put(std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(records[3].first)));
  auto cut = Reopen(anchor);
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_EQ(cut->size(), 3u);
  EXPECT_EQ(cut->back().hash, log_.entries()[2].hash);  // a prefix of the chain the owner saw

  // A torn last record (half written) is cut off and the file is repaired for appends.
  Put(std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(records[4].first + 9)));
  std::vector<AuditEntry> entries;
  auto reopened = AuditJournal::Open(path_, key_.span(), anchor, &entries);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(ReadFileBytes(path_)->size(), records[4].first);
  log_ = *AuditLog::FromEntries(entries);
  AppendEntries(**reopened, 2);
  reopened->reset();
  auto after = Reopen(anchor);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->size(), 6u);
}

TEST_F(AuditJournalTest, AnotherDeploymentsJournalOrRecordsAreRefused) {
  AuditAnchor anchor;
  Write(3, &anchor);
  const auto ours = Bytes();
  const auto our_records = Records();
  const crypto::SecretBytes other_key = crypto::RandomSecret(32).value();
  // Opened with another state key: the header's id does not match.
  ExpectDataLoss(Reopen(AuditAnchor{}, &other_key), "another deployment");

  // A record of another deployment's journal spliced in (same seq position) fails authentication.
  log_ = AuditLog();
  const std::string foreign_path = tmp_.path() + "/foreign.s3ml";
  auto foreign = AuditJournal::Create(foreign_path, other_key.span());
  ASSERT_TRUE(foreign.ok());
  AppendEntries(**foreign, 3);
  const auto theirs = ReadFileBytes(foreign_path).value();
  std::vector<uint8_t> mixed(ours.begin(), ours.begin() + static_cast<long>(our_records[1].first));
  // Their record 1 has the same layout position as ours.
  std::string saved = path_;
  path_ = foreign_path;
  const auto their_records = Records();
  path_ = saved;
  mixed.insert(mixed.end(), theirs.begin() + static_cast<long>(their_records[1].first),
               theirs.begin() + static_cast<long>(their_records[1].second));
  mixed.insert(mixed.end(), ours.begin() + static_cast<long>(our_records[2].first), ours.end());
  Put(mixed);
  ExpectDataLoss(Reopen(anchor), "record 1: failed authentication");
  ExpectDataLoss(Reopen(AuditAnchor{}), "record 1: failed authentication");
  // Their whole file in place of ours.
  Put(theirs);
  ExpectDataLoss(Reopen(anchor), "another deployment");
}

TEST_F(AuditJournalTest, StateKeyMustBe32Bytes) {
  std::vector<AuditEntry> entries;
  const std::vector<uint8_t> short_key(16, 1);
  EXPECT_EQ(AuditJournal::Open(path_, short_key, AuditAnchor{}, &entries).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(AuditJournal::Create(path_, short_key).status().code(), StatusCode::kInvalidArgument);
}

// kill -9 of a process appending batches, 50 times over one journal: every entry whose Append
// returned (reported through a pipe, as an acknowledgement would be sent) is there after the
// restart, and the whole chain verifies.
TEST_F(AuditJournalTest, KillNineDuringAppendNeverLosesAnAcknowledgedEntry) {
  std::mt19937 random(4242);
  uint64_t acknowledged = 0;
  int appends_after_the_first = 0;
  for (int iteration = 0; iteration < 50; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      std::vector<AuditEntry> entries;
      auto journal = AuditJournal::Open(path_, key_.span(), AuditAnchor{}, &entries);
      if (!journal.ok()) ::_exit(3);
      auto log = AuditLog::FromEntries(std::move(entries));
      if (!log.ok()) ::_exit(4);
      for (int batch = 1;; batch = batch % 5 + 1) {
        const size_t first = log->entries().size();
        for (int b = 0; b < batch; ++b) log->Append(7, "provision", json{{"i", log->entries().size()}});
        if (!(*journal)->Append(std::span<const AuditEntry>(log->entries()).subspan(first)).ok()) ::_exit(5);
        const uint64_t count = log->entries().size();
        if (::write(fds[1], &count, sizeof(count)) != sizeof(count)) ::_exit(6);
      }
    }
    ::close(fds[1]);
    // Wait for the child's first acknowledged append (start-up time grows with the journal, so a
    // fixed delay would often kill it before it appends at all), then kill it at a random point of
    // the appends that follow.
    uint64_t first_ack = 0;
    ASSERT_EQ(::read(fds[0], &first_ack, sizeof(first_ack)), static_cast<ssize_t>(sizeof(first_ack)));
    acknowledged = first_ack;
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20000)(random)));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
    uint64_t count = 0;
    while (::read(fds[0], &count, sizeof(count)) == sizeof(count)) {
      acknowledged = count;
      ++appends_after_the_first;
    }
    ::close(fds[0]);

    auto entries = Reopen(AuditAnchor{});
    ASSERT_TRUE(entries.ok()) << entries.status().ToString();
    ASSERT_GE(entries->size(), acknowledged);
    for (size_t i = 0; i < entries->size(); ++i) ASSERT_EQ((*entries)[i].detail["i"], i);
    acknowledged = entries->size();
  }
  // The kills landed among appends, not only right after the first one.
  EXPECT_GT(appends_after_the_first, 50);
  EXPECT_GT(acknowledged, 100u);
}

}  // namespace
}  // namespace s3ml::ecs
