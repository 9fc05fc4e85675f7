// StateStore end to end on a simulated SGX host: the store runs inside signed helper enclaves
// (enclave_session.h), so every seal key comes from the quoting daemon's measurement of the
// process, as for s3ml-ecs. Covers first boot, persistence, the directory lock, tampering,
// foreign state, rollback and recovery with the owner's key on another host.
#include "ecs/state_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "core/file.h"
#include "crypto/ec_key.h"
#include "ecs/state_file.h"
#include "tee/sim/sim_platform.h"
#include "tests/ecs/state/enclave_session.h"
#include "tests/tee/sim_test_env.h"

namespace s3ml::ecs {
namespace {

using testing::EnclaveSession;
using testing::OpenAndLoad;
using testing::Reply;
using tee::testing::TempDir;

class StateStoreTest : public ::testing::Test {
 protected:
  StateStoreTest() : qe_(tee::testing::MakeAuthority(tmp_.Sub("host-a")), tmp_.Sub("a.sock")) {
    enclave_ = Install("ecs", signer_);
  }

  std::string Install(const std::string& name, const crypto::EcKey& signer, bool extra_byte = false) {
    std::string path = tee::testing::InstallEnclave(tmp_.path(), name);
    if (extra_byte) {  // different code (MRENCLAVE), as a new release of the same signer
      auto bytes = ReadFileBytes(path).value();
      bytes.push_back(0);
      EXPECT_TRUE(WriteFileAtomic(path, bytes, 0755).ok());
    }
    tee::testing::SignEnclave(path, signer, /*isv_prod_id=*/1, /*isv_svn=*/1);
    return path;
  }
  std::unique_ptr<EnclaveSession> Session(const std::string& socket = "") {
    return std::make_unique<EnclaveSession>(enclave_, socket.empty() ? qe_.socket() : socket);
  }
  // A state directory holding versions 1..n committed by the ECS enclave on host A.
  nlohmann::json CommitVersions(int n) {
    auto s = Session();
    EXPECT_TRUE(OpenAndLoad(*s, dir_).ok);
    Reply last;
    for (int i = 0; i < n; ++i) {
      last = s->Call("commit");
      EXPECT_TRUE(last.ok) << last.ToString();
    }
    return last.state;
  }
  std::string WriteManifest(const crypto::EcKey& recovery) {
    nlohmann::json m = {{"version", 1},
                        {"owner_public_key", "(not read by the store)"},
                        {"recovery_public_key", recovery.PublicKeyPem().value()}};
    const std::string path = tmp_.Sub("manifest.json");
    EXPECT_TRUE(WriteFileAtomic(path, AsBytes(m.dump(2))).ok());
    return path;
  }
  std::string WritePem(const std::string& name, const crypto::EcKey& key) {
    const std::string path = tmp_.Sub(name);
    EXPECT_TRUE(WriteFileAtomic(path, key.PrivateKeyPem()->span()).ok());
    return path;
  }
  std::vector<uint8_t> Read(const std::string& name) { return ReadFileBytes(dir_ + "/" + name).value(); }
  void Write(const std::string& name, std::span<const uint8_t> bytes) {
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/" + name, bytes).ok());
  }

  TempDir tmp_;
  tee::testing::RunningQe qe_;
  crypto::EcKey signer_ = tee::testing::NewSigner();
  std::string enclave_;
  std::string dir_ = tmp_.Sub("state");
};

void ExpectError(const Reply& r, const std::string& code, const std::string& text) {
  EXPECT_FALSE(r.ok) << r.ToString();
  EXPECT_EQ(r.code, code) << r.ToString();
  EXPECT_NE(r.message.find(text), std::string::npos) << r.ToString();
}

// What the helper's fixture promises for version v (state_helper.cc).
void ExpectConsistentVersion(const nlohmann::json& state) {
  ASSERT_TRUE(state.is_object());
  const uint64_t v = state["version"].get<uint64_t>();
  ASSERT_GE(v, 1u);
  ASSERT_EQ(state["model_keys"].size(), v);
  ASSERT_EQ(state["audit"]["entries"].size(), v);
  for (uint64_t i = 1; i <= v; ++i) {
    EXPECT_TRUE(state["model_keys"].contains("model-" + std::to_string(i))) << i;
    EXPECT_EQ(state["audit"]["entries"][i - 1]["detail"]["version"], i);
  }
}

TEST_F(StateStoreTest, FirstBootCommitAndReloadGiveTheIdenticalState) {
  auto s = Session();
  Reply first = OpenAndLoad(*s, dir_);
  ASSERT_TRUE(first.ok) << first.ToString();
  EXPECT_EQ(first.message, "none");
  EXPECT_EQ(std::filesystem::status(dir_).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);

  Reply v1 = s->Call("commit");
  ASSERT_TRUE(v1.ok) << v1.ToString();
  EXPECT_EQ(v1.state["version"], 1);
  Reply v2 = s->Call("commit");
  ASSERT_TRUE(v2.ok) << v2.ToString();
  EXPECT_EQ(v2.state["version"], 2);
  ExpectConsistentVersion(v2.state);
  ASSERT_TRUE(s->Call("close").ok);

  // Nothing of the state is readable in the directory.
  const auto file = Read("state.s3ml");
  const std::string key_text = v2.state["root_ca_private_key_pem"].get<std::string>().substr(30, 40);
  EXPECT_EQ(std::string(file.begin(), file.end()).find(key_text), std::string::npos);
  EXPECT_EQ(std::string(file.begin(), file.end()).find("model-1"), std::string::npos);

  auto again = Session();
  Reply loaded = OpenAndLoad(*again, dir_);
  ASSERT_TRUE(loaded.ok) << loaded.ToString();
  EXPECT_EQ(loaded.state, v2.state);  // every field, keys and audit chain included
  Reply v3 = again->Call("commit");
  ASSERT_TRUE(v3.ok) << v3.ToString();
  ExpectConsistentVersion(v3.state);
}

TEST_F(StateStoreTest, CommitNeedsTheLastVersion) {
  CommitVersions(2);
  auto s = Session();
  ASSERT_TRUE(OpenAndLoad(*s, dir_).ok);
  ExpectError(s->Call("commit-version 1"), "FailedPrecondition", "state version 1 is not the committed version 2");
  ExpectError(s->Call("commit-version 3"), "FailedPrecondition", "not the committed version 2");
  // An unchanged configuration is not written again: the version stays.
  Reply ok = s->Call("commit-version 2");
  ASSERT_TRUE(ok.ok) << ok.ToString();
  EXPECT_EQ(ok.state["version"], 2);
  Reply next = s->Call("commit");
  ASSERT_TRUE(next.ok) << next.ToString();
  EXPECT_EQ(next.state["version"], 3);
}

TEST_F(StateStoreTest, CommitBeforeLoadIsRefused) {
  auto s = Session();
  ASSERT_TRUE(s->Call("open " + dir_).ok);
  ExpectError(s->Call("commit"), "FailedPrecondition", "Load or Recover must succeed before Commit");
}

TEST_F(StateStoreTest, SecondOpenOfTheSameDirectoryFailsWhileTheFirstIsOpen) {
  // In this process: a store needs no platform call to open, so any platform will do.
  tee::sim::SimPlatform unused(tmp_.Sub("no-daemon.sock"));
  auto first = StateStore::Open(dir_, unused);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = StateStore::Open(dir_, unused);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(second.status().message(),
            "state directory " + dir_ + " is locked by pid " + std::to_string(::getpid()));
  // Another process is refused too, naming this one.
  auto s = Session();
  ExpectError(s->Call("open " + dir_), "FailedPrecondition", "is locked by pid " + std::to_string(::getpid()));

  first.value().reset();
  auto third = StateStore::Open(dir_, unused);
  EXPECT_TRUE(third.ok()) << third.status().ToString();
  ExpectError(s->Call("open " + dir_), "FailedPrecondition", "locked");
  third.value().reset();
  EXPECT_TRUE(s->Call("open " + dir_).ok);
  // Now the helper holds it.
  auto fourth = StateStore::Open(dir_, unused);
  ASSERT_FALSE(fourth.ok());
  EXPECT_EQ(fourth.status().message(), "state directory " + dir_ + " is locked by pid " + std::to_string(s->pid()));
  // A killed holder releases the lock with its life.
  s->Kill();
  EXPECT_TRUE(StateStore::Open(dir_, unused).ok());
}

TEST_F(StateStoreTest, OpenRefusesAPathThatIsNotADirectory) {
  tee::sim::SimPlatform unused(tmp_.Sub("no-daemon.sock"));
  ASSERT_TRUE(WriteFileAtomic(tmp_.Sub("file"), AsBytes("x")).ok());
  auto r = StateStore::Open(tmp_.Sub("file"), unused);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("is not a directory"), std::string::npos);
  EXPECT_EQ(StateStore::Open("", unused).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(StateStoreTest, EveryFlippedByteOfTheStateFileIsDataLoss) {
  const crypto::EcKey recovery = crypto::EcKey::Generate(crypto::EcCurve::kP384).value();
  {
    auto s = Session();
    ASSERT_TRUE(OpenAndLoad(*s, dir_).ok);
    ASSERT_TRUE(s->Call("commit").ok);
    ASSERT_TRUE(s->Call("manifest " + WriteManifest(recovery)).ok);  // so the header has a wrap
    ASSERT_TRUE(s->Call("commit").ok);
  }
  const auto original = Read("state.s3ml");
  auto parsed = ParseStateFile(original);
  ASSERT_TRUE(parsed.ok());
  ASSERT_FALSE(parsed->header.recovery_wrap.empty());
  const size_t header = parsed->aad.size();

  // Every header byte, then a spread of the ciphertext and all of the tag.
  std::vector<size_t> offsets;
  for (size_t i = 0; i < header + 12; ++i) offsets.push_back(i);
  for (size_t i = header + 12; i < original.size() - 16; i += 37) offsets.push_back(i);
  for (size_t i = original.size() - 16; i < original.size(); ++i) offsets.push_back(i);

  auto s = Session();
  ASSERT_TRUE(s->Call("open " + dir_).ok);
  for (size_t offset : offsets) {
    auto altered = original;
    altered[offset] ^= 0x01;
    Write("state.s3ml", altered);
    Reply r = s->Call("load");
    ASSERT_FALSE(r.ok) << "offset " << offset;
    EXPECT_EQ(r.code, "DataLoss") << "offset " << offset << ": " << r.ToString();
  }
  Write("state.s3ml", original);
  Reply r = s->Call("load");
  ASSERT_TRUE(r.ok) << r.ToString();
  EXPECT_EQ(r.state["version"], 2);
}

TEST_F(StateStoreTest, TruncatedEmptyGarbageAndMissingFilesGiveClearErrors) {
  CommitVersions(1);
  const auto original = Read("state.s3ml");
  const size_t header = ParseStateFile(original)->aad.size();
  auto s = Session();
  ASSERT_TRUE(s->Call("open " + dir_).ok);
  struct Case {
    std::vector<uint8_t> bytes;
    const char* message;
  };
  std::mt19937 rng(7);
  std::vector<uint8_t> garbage(3000);
  for (auto& b : garbage) b = static_cast<uint8_t>(rng());
  auto prefix = [&](size_t n) { return std::vector<uint8_t>(original.begin(), original.begin() + static_cast<long>(n)); };
  const std::vector<Case> cases = {
      {{}, "state file is empty"},
      {garbage, "does not start with the S3MLSTAT magic"},
      {prefix(5), "magic"},
      {prefix(20), "header is truncated"},
      {prefix(header + 20), "no room for nonce and tag"},
      {prefix(header + 100), "failed authentication"},
      {prefix(original.size() - 1), "failed authentication"},
  };
  for (const Case& c : cases) {
    Write("state.s3ml", c.bytes);
    ExpectError(s->Call("load"), "DataLoss", c.message);
  }

  // A damaged or missing head.
  Write("state.s3ml", original);
  const auto head = Read("head.s3ml");
  auto bad_head = head;
  bad_head[bad_head.size() - 3] ^= 0x40;
  Write("head.s3ml", bad_head);
  ExpectError(s->Call("load"), "DataLoss", "head.s3ml cannot be unsealed");
  std::filesystem::remove(dir_ + "/head.s3ml");
  ExpectError(s->Call("load"), "DataLoss", "head.s3ml is missing");
  Write("head.s3ml", head);
  std::filesystem::remove(dir_ + "/state.s3ml");
  ExpectError(s->Call("load"), "DataLoss", "state.s3ml is missing from " + dir_ + " but head.s3ml records committed version 1");
  Write("state.s3ml", original);
  EXPECT_TRUE(s->Call("load").ok);
}

TEST_F(StateStoreTest, StateOfAnotherHostIsPermissionDenied) {
  CommitVersions(2);
  tee::testing::RunningQe host_b(tee::testing::MakeAuthority(tmp_.Sub("host-b")), tmp_.Sub("b.sock"));
  auto s = Session(host_b.socket());
  ExpectError(OpenAndLoad(*s, dir_), "PermissionDenied", "state belongs to another host or ECS signer: use recover");
  ASSERT_TRUE(s->Call("close").ok);
  // Back home it still loads.
  auto home = Session();
  Reply r = OpenAndLoad(*home, dir_);
  ASSERT_TRUE(r.ok) << r.ToString();
}

TEST_F(StateStoreTest, StateOfAnotherSignerIsPermissionDeniedButASignedUpgradeLoadsIt) {
  const nlohmann::json committed = CommitVersions(2);
  EnclaveSession stranger(Install("stranger", tee::testing::NewSigner()), qe_.socket());
  ExpectError(OpenAndLoad(stranger, dir_), "PermissionDenied", "another host or ECS signer");
  ASSERT_TRUE(stranger.Call("close").ok);

  // Same signer and product, new code: the MRSIGNER seal policy lets it in.
  EnclaveSession upgrade(Install("ecs-v2", signer_, /*extra_byte=*/true), qe_.socket());
  Reply r = OpenAndLoad(upgrade, dir_);
  ASSERT_TRUE(r.ok) << r.ToString();
  EXPECT_EQ(r.state, committed);
}

TEST_F(StateStoreTest, AnOlderStateFileIsARollback) {
  CommitVersions(1);
  const auto v1 = Read("state.s3ml");
  const auto head1 = Read("head.s3ml");
  CommitVersions(2);  // versions 2 and 3
  Write("state.s3ml", v1);
  auto s = Session();
  ExpectError(OpenAndLoad(*s, dir_), "FailedPrecondition", "state version 1 is older than committed version 3");
  // Documented limitation: state and head rolled back together cannot be told from the truth.
  Write("head.s3ml", head1);
  Reply r = s->Call("load");
  ASSERT_TRUE(r.ok) << r.ToString();
  EXPECT_EQ(r.state["version"], 1);
}

TEST_F(StateStoreTest, AHeadOneCommitBehindCatchesUpOnLoad) {
  // As after a crash between writing state.s3ml and head.s3ml.
  CommitVersions(1);
  const auto v1 = Read("state.s3ml");
  const auto head1 = Read("head.s3ml");
  CommitVersions(1);  // version 2
  Write("head.s3ml", head1);
  auto s = Session();
  Reply r = OpenAndLoad(*s, dir_);
  ASSERT_TRUE(r.ok) << r.ToString();
  EXPECT_EQ(r.state["version"], 2);
  EXPECT_NE(Read("head.s3ml"), head1);  // rewritten for version 2
  // So version 1 is now a rollback.
  Write("state.s3ml", v1);
  ExpectError(s->Call("load"), "FailedPrecondition", "state version 1 is older than committed version 2");
}

TEST_F(StateStoreTest, ManifestRecoveryKeyMustBeP384) {
  auto s = Session();
  ASSERT_TRUE(OpenAndLoad(*s, dir_).ok);
  ASSERT_TRUE(s->Call("commit").ok);
  const std::string path = tmp_.Sub("bad-manifest.json");
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes(nlohmann::json{
                                                {"recovery_public_key",
                                                 crypto::EcKey::Generate(crypto::EcCurve::kP256)->PublicKeyPem().value()}}
                                                .dump()))
                  .ok());
  ASSERT_TRUE(s->Call("manifest " + path).ok);
  ExpectError(s->Call("commit"), "InvalidArgument", "manifest recovery_public_key is P-256, not P-384");
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes(R"({"recovery_public_key": "not a key"})")).ok());
  ASSERT_TRUE(s->Call("manifest " + path).ok);
  ExpectError(s->Call("commit"), "InvalidArgument", "manifest recovery_public_key");
  ASSERT_TRUE(WriteFileAtomic(path, AsBytes("[not json")).ok());
  ASSERT_TRUE(s->Call("manifest " + path).ok);
  ExpectError(s->Call("commit"), "InvalidArgument", "manifest is not a JSON object");
  ASSERT_TRUE(s->Call("close").ok);
  // Nothing was written by the refused commits.
  auto again = Session();
  Reply r = OpenAndLoad(*again, tmp_.Sub("state"));
  ASSERT_TRUE(r.ok) << r.ToString();
  EXPECT_EQ(r.state["version"], 1);
}

TEST_F(StateStoreTest, RecoveryOnAnotherHostWithTheOwnersKey) {
  const crypto::EcKey recovery = crypto::EcKey::Generate(crypto::EcCurve::kP384).value();
  nlohmann::json committed;
  {
    auto s = Session();
    ASSERT_TRUE(OpenAndLoad(*s, dir_).ok);
    ASSERT_TRUE(s->Call("commit").ok);
    // Before a manifest names a recovery key there is nothing to recover with.
    ASSERT_TRUE(s->Call("close").ok);
    auto early = Session();
    ASSERT_TRUE(early->Call("open " + dir_).ok);
    ExpectError(early->Call("recover " + WritePem("recovery.key.pem", recovery)), "FailedPrecondition",
                "no recovery wrap");
    ASSERT_TRUE(early->Call("close").ok);
    ASSERT_TRUE(OpenAndLoad(*s, dir_).ok);
    ASSERT_TRUE(s->Call("manifest " + WriteManifest(recovery)).ok);
    Reply r = s->Call("commit");
    ASSERT_TRUE(r.ok) << r.ToString();
    committed = r.state;
  }
  // The host is lost; the directory moves to host B.
  tee::testing::RunningQe host_b(tee::testing::MakeAuthority(tmp_.Sub("host-b")), tmp_.Sub("b.sock"));
  auto b = Session(host_b.socket());
  ExpectError(OpenAndLoad(*b, dir_), "PermissionDenied", "use recover");

  const crypto::EcKey wrong = crypto::EcKey::Generate(crypto::EcCurve::kP384).value();
  ExpectError(b->Call("recover " + WritePem("wrong.key.pem", wrong)), "PermissionDenied", "wrong private key");
  const crypto::EcKey p256 = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  ExpectError(b->Call("recover " + WritePem("p256.key.pem", p256)), "InvalidArgument", "P-384");
  ASSERT_TRUE(WriteFileAtomic(tmp_.Sub("junk.pem"), AsBytes("junk")).ok());
  ExpectError(b->Call("recover " + tmp_.Sub("junk.pem")), "InvalidArgument", "recovery key");

  Reply recovered = b->Call("recover " + WritePem("recovery.key.pem", recovery));
  ASSERT_TRUE(recovered.ok) << recovered.ToString();
  EXPECT_EQ(recovered.state["version"], committed["version"].get<uint64_t>() + 1);
  nlohmann::json expected = committed;
  expected["version"] = recovered.state["version"];
  EXPECT_EQ(recovered.state, expected);
  // The audit journal, sealed under a key derived from the state key, is readable on host B.
  EXPECT_EQ(recovered.state["audit"]["entries"].size(), 2u);
  // The store goes on committing on host B ...
  Reply next = b->Call("commit");
  ASSERT_TRUE(next.ok) << next.ToString();
  ASSERT_TRUE(b->Call("close").ok);
  // ... a fresh start on host B loads it ...
  auto b2 = Session(host_b.socket());
  Reply loaded = OpenAndLoad(*b2, dir_);
  ASSERT_TRUE(loaded.ok) << loaded.ToString();
  EXPECT_EQ(loaded.state, next.state);
  ASSERT_TRUE(b2->Call("close").ok);
  // ... and the old host no longer can.
  auto a = Session();
  ExpectError(OpenAndLoad(*a, dir_), "PermissionDenied", "another host");
}

// A provisioning only adds audit entries: its commit appends to the journal and leaves
// state.s3ml alone; the next configuration commit anchors the journal, after which removing or
// altering any record is kDataLoss at load (audit_journal.h).
TEST_F(StateStoreTest, AuditOnlyCommitsAppendToTheJournalWhichTheStateAnchors) {
  CommitVersions(1);
  const auto state_v1 = Read("state.s3ml");
  {
    auto s = Session();
    ASSERT_TRUE(OpenAndLoad(*s, dir_).ok);
    Reply audited = s->Call("audit 3");
    ASSERT_TRUE(audited.ok) << audited.ToString();
    EXPECT_EQ(audited.state["version"], 1);
    EXPECT_EQ(audited.state["audit"]["entries"].size(), 4u);
    EXPECT_EQ(audited.state["audit_anchor_count"], 1);
    EXPECT_EQ(Read("state.s3ml"), state_v1);  // not rewritten
  }
  {
    auto s = Session();
    Reply loaded = OpenAndLoad(*s, dir_);
    ASSERT_TRUE(loaded.ok) << loaded.ToString();
    EXPECT_EQ(loaded.state["audit"]["entries"].size(), 4u);  // entries after the anchor are read
    Reply v2 = s->Call("commit");
    ASSERT_TRUE(v2.ok) << v2.ToString();
    EXPECT_EQ(v2.state["version"], 2);
    EXPECT_EQ(v2.state["audit_anchor_count"], 5);
  }
  const auto journal = Read("audit.s3ml");
  // The records' boundaries (header 42 bytes, then u32le length-prefixed records).
  std::vector<size_t> starts;
  for (size_t at = 42; at + 4 <= journal.size(); at += 4 + (journal[at] | (journal[at + 1] << 8))) starts.push_back(at);
  ASSERT_EQ(starts.size(), 5u);
  auto expect_refused = [&](const std::vector<uint8_t>& bytes, const std::string& text) {
    Write("audit.s3ml", bytes);
    auto s = Session();
    ExpectError(OpenAndLoad(*s, dir_), "DataLoss", text);
  };
  // Last record cut off (before the anchor), a middle record removed, a byte altered.
  expect_refused(std::vector<uint8_t>(journal.begin(), journal.begin() + static_cast<long>(starts[4])), "anchors 5");
  std::vector<uint8_t> removed(journal.begin(), journal.begin() + static_cast<long>(starts[2]));
  removed.insert(removed.end(), journal.begin() + static_cast<long>(starts[3]), journal.end());
  expect_refused(removed, "record 2");
  auto altered = journal;
  altered[starts[1] + 30] ^= 1;
  expect_refused(altered, "record 1");
  ASSERT_EQ(::unlink((dir_ + "/audit.s3ml").c_str()), 0);
  {
    auto s = Session();
    ExpectError(OpenAndLoad(*s, dir_), "DataLoss", "missing");
  }
  Write("audit.s3ml", journal);
  auto s = Session();
  Reply restored = OpenAndLoad(*s, dir_);
  ASSERT_TRUE(restored.ok) << restored.ToString();
  EXPECT_EQ(restored.state["audit"]["entries"].size(), 5u);
}

TEST_F(StateStoreTest, StaleTemporaryFilesAreRemovedOnOpen) {
  CommitVersions(1);
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/.state.s3ml.tmp.abc123", AsBytes("partial")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/.head.s3ml.tmp.def456", AsBytes("partial")).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/unrelated", AsBytes("kept")).ok());
  auto s = Session();
  ASSERT_TRUE(OpenAndLoad(*s, dir_).ok);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/.state.s3ml.tmp.abc123"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/.head.s3ml.tmp.def456"));
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/unrelated"));
}

}  // namespace
}  // namespace s3ml::ecs
