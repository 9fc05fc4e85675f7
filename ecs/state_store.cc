#include "ecs/state_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/file.h"
#include "crypto/aes_gcm.h"
#include "crypto/digest.h"
#include "crypto/ec_key.h"
#include "crypto/key_wrap.h"
#include "crypto/random.h"
#include "ecs/state_codec.h"
#include "tee/sealing.h"

namespace s3ml::ecs {
namespace {

constexpr char kLockFile[] = "lock";
constexpr char kStateFile[] = "state.s3ml";
constexpr char kHeadFile[] = "head.s3ml";
constexpr char kJournalFile[] = "audit.s3ml";
// Sealing labels; the state key's label doubles as the recovery wrap's label.
constexpr std::string_view kStateKeyLabel = "s3ml-ecs-state-key";
constexpr std::string_view kHeadLabel = "s3ml-ecs-head";
constexpr std::string_view kSealCheckLabel = "s3ml-ecs-seal-check";
constexpr std::string_view kSealCheckPrefix = "s3ml ecs seal check v1";
constexpr size_t kStateKeySize = 32;
constexpr size_t kMaxStateFileSize = 256u << 20;
constexpr size_t kMaxHeadFileSize = 4096;
constexpr tee::SealKeyPolicy kPolicy = tee::SealKeyPolicy::kMrSigner;

Status ErrnoError(const std::string& what) {
  const int err = errno;
  return Unavailable(what + ": " + std::strerror(err));
}

// The manifest's "recovery_public_key", if any. Only this member is read: the full manifest is
// validated by its own parser before it is ever stored, but the store must not depend on it.
Result<std::optional<crypto::EcKey>> RecoveryKeyOf(const std::optional<std::string>& manifest) {
  if (!manifest.has_value()) return std::optional<crypto::EcKey>();
  const nlohmann::json j = nlohmann::json::parse(*manifest, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgument("manifest is not a JSON object, so its recovery_public_key cannot be read");
  }
  const auto it = j.find("recovery_public_key");
  if (it == j.end()) return std::optional<crypto::EcKey>();
  if (!it->is_string()) return InvalidArgument("manifest recovery_public_key is not a string");
  auto key = crypto::EcKey::FromPublicKeyPem(it->get<std::string>());
  if (!key.ok()) return InvalidArgument("manifest recovery_public_key: " + key.status().message());
  if (key->curve() != crypto::EcCurve::kP384) {
    return InvalidArgument("manifest recovery_public_key is " + std::string(crypto::EcCurveName(key->curve())) +
                           ", not P-384");
  }
  return std::optional<crypto::EcKey>(std::move(key).value());
}

// A crash inside WriteFileAtomic leaves ".<name>.tmp.XXXXXX" behind; only the lock holder writes
// in DIR, so whatever temporaries exist when the lock is taken are dead.
void RemoveStaleTemporaries(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(std::string(".") + kStateFile + ".tmp.") ||
        name.starts_with(std::string(".") + kHeadFile + ".tmp.")) {
      std::filesystem::remove(entry.path(), ec);
    }
  }
}

Result<crypto::SecretBytes> CheckedStateKey(Result<crypto::SecretBytes> key) {
  if (!key.ok()) return key.status();
  if (key->size() != kStateKeySize) {
    return DataLoss("state key is " + std::to_string(key->size()) + " bytes, not " + std::to_string(kStateKeySize));
  }
  return std::move(key).value();
}

// SHA-256 of the configuration part of an encoded state (everything but the audit anchor): a
// commit whose configuration did not change only appends to the audit journal.
std::array<uint8_t, 32> ConfigDigest(std::span<const uint8_t> encoded) {
  return crypto::Sha256(encoded.first(encoded.size() - std::min(encoded.size(), kEncodedAuditAnchorSize)));
}

Result<EcsState> DecryptState(const crypto::SecretBytes& state_key, const ParsedStateFile& file,
                              std::array<uint8_t, 32>* config_digest) {
  S3ML_ASSIGN_OR_RETURN(crypto::Aes256Gcm aead, crypto::Aes256Gcm::Create(state_key.span()));
  auto plaintext = aead.Open(file.ciphertext, file.aad);
  if (!plaintext.ok()) {
    return DataLoss("state.s3ml failed authentication: it was altered or truncated (" + plaintext.status().message() +
                    ")");
  }
  S3ML_ASSIGN_OR_RETURN(EcsState state, DecodeEcsState(plaintext->span()));
  state.version = file.header.version;
  *config_digest = ConfigDigest(plaintext->span());
  return state;
}

}  // namespace

StateStore::StateStore(std::string dir, tee::Platform& platform, int lock_fd)
    : dir_(std::move(dir)), platform_(platform), lock_fd_(lock_fd) {}

StateStore::~StateStore() {
  // Closing the descriptor releases the flock.
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::string& dir, tee::Platform& platform) {
  if (dir.empty()) return InvalidArgument("state directory is empty");
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return Unavailable("create state directory " + dir + ": " + ec.message());
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  if (!std::filesystem::is_directory(dir, ec)) return InvalidArgument("state directory " + dir + " is not a directory");

  const std::string lock_path = dir + "/" + kLockFile;
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return ErrnoError("open " + lock_path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    std::string holder;
    if (err == EWOULDBLOCK) {
      char buf[32] = {};
      const ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
      for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) holder.push_back(buf[i]);
    }
    ::close(fd);
    if (err != EWOULDBLOCK) {
      errno = err;
      return ErrnoError("lock " + lock_path);
    }
    return FailedPrecondition("state directory " + dir + " is locked by " +
                              (holder.empty() ? std::string("another process") : "pid " + holder));
  }
  // The pid is for the message above only; the lock itself is the flock.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    Status s = ErrnoError("write " + lock_path);
    ::close(fd);
    return s;
  }
  RemoveStaleTemporaries(dir);
  return std::unique_ptr<StateStore>(new StateStore(dir, platform, fd));
}

Result<std::array<uint8_t, 32>> StateStore::OwnSealCheck() {
  if (!own_seal_check_.has_value()) {
    S3ML_ASSIGN_OR_RETURN(crypto::SecretBytes key, platform_.GetSealKey(kPolicy, kSealCheckLabel));
    crypto::Digester d(crypto::DigestAlgorithm::kSha256);
    d.Update(AsBytes(kSealCheckPrefix)).Update(key.span());
    const std::vector<uint8_t> digest = d.Finish();
    std::array<uint8_t, 32> check{};
    std::copy(digest.begin(), digest.end(), check.begin());
    own_seal_check_ = check;
  }
  return *own_seal_check_;
}

Result<std::optional<HeadRecord>> StateStore::ReadHead() {
  auto bytes = ReadFileBytes(path(kHeadFile), kMaxHeadFileSize);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) return std::optional<HeadRecord>();
    if (bytes.status().code() == StatusCode::kResourceExhausted) return DataLoss(bytes.status().message());
    return bytes.status();
  }
  auto plain = tee::Unseal(platform_, kHeadLabel, bytes.value());
  if (!plain.ok()) {
    const StatusCode code = plain.status().code();
    if (code != StatusCode::kDataLoss && code != StatusCode::kPermissionDenied) return plain.status();
    return DataLoss("head.s3ml cannot be unsealed (altered, or written on another host or by another signer; "
                    "recover writes a new one): " +
                    plain.status().message());
  }
  auto head = ParseHeadRecord(plain->span());
  if (!head.ok()) return DataLoss("head.s3ml: " + head.status().message());
  return std::optional<HeadRecord>(head.value());
}

// Reads the journal the state anchors into state.audit and keeps it for appends.
Status StateStore::OpenJournal(const crypto::SecretBytes& state_key, EcsState& state) {
  std::vector<AuditEntry> entries;
  S3ML_ASSIGN_OR_RETURN(journal_, AuditJournal::Open(path(kJournalFile), state_key.span(), state.audit_anchor, &entries));
  S3ML_ASSIGN_OR_RETURN(state.audit, AuditLog::FromEntries(std::move(entries)));
  return Status::Ok();
}

Status StateStore::WriteHead(const HeadRecord& head) {
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> sealed, tee::Seal(platform_, kPolicy, kHeadLabel, SerializeHeadRecord(head)));
  S3ML_RETURN_IF_ERROR(WriteFileAtomic(path(kHeadFile), sealed, 0600));
  head_exists_ = true;
  return Status::Ok();
}

// Encrypts under state_key_ with the header as AAD, writes state.s3ml, then the head.
Status StateStore::WriteStateFile(const StateFileHeader& header, std::span<const uint8_t> plaintext) {
  std::vector<uint8_t> file = SerializeStateFileHeader(header);
  S3ML_ASSIGN_OR_RETURN(crypto::Aes256Gcm aead, crypto::Aes256Gcm::Create(state_key_.span()));
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> sealed, aead.Seal(plaintext, file));
  file.insert(file.end(), sealed.begin(), sealed.end());
  // A first commit announces itself with a version-0 head before any state exists, so that from
  // then on a state.s3ml without a head is never legitimate.
  if (!head_exists_) S3ML_RETURN_IF_ERROR(WriteHead(HeadRecord{}));
  S3ML_RETURN_IF_ERROR(WriteFileAtomic(path(kStateFile), file, 0600));
  return WriteHead(HeadRecord{header.version, crypto::Sha256(file)});
}

Result<std::optional<EcsState>> StateStore::Load() {
  loaded_ = false;
  auto file = ReadFileBytes(path(kStateFile), kMaxStateFileSize);
  if (!file.ok() && file.status().code() == StatusCode::kNotFound) {
    S3ML_ASSIGN_OR_RETURN(std::optional<HeadRecord> head, ReadHead());
    if (head.has_value() && head->version > 0) {
      return DataLoss("state.s3ml is missing from " + dir_ + " but head.s3ml records committed version " +
                      std::to_string(head->version) + ": restore state.s3ml");
    }
    // First boot (possibly after a first commit that crashed before writing the state).
    committed_version_ = 0;
    committed_anchor_ = AuditAnchor{};
    journal_.reset();
    head_exists_ = head.has_value();
    state_key_.Clear();
    sealed_state_key_.clear();
    recovery_wrap_.clear();
    loaded_ = true;
    return std::optional<EcsState>();
  }
  if (!file.ok()) {
    if (file.status().code() == StatusCode::kResourceExhausted) return DataLoss(file.status().message());
    return file.status();
  }
  S3ML_ASSIGN_OR_RETURN(ParsedStateFile parsed, ParseStateFile(file.value()));

  S3ML_ASSIGN_OR_RETURN(auto own_check, OwnSealCheck());
  auto state_key = CheckedStateKey(tee::Unseal(platform_, kStateKeyLabel, parsed.header.sealed_state_key));
  if (parsed.header.seal_check != own_check) {
    if (state_key.ok()) return DataLoss("state.s3ml seal check was altered");
    return PermissionDenied("state belongs to another host or ECS signer: use recover");
  }
  if (!state_key.ok()) {
    const StatusCode code = state_key.status().code();
    if (code != StatusCode::kDataLoss && code != StatusCode::kPermissionDenied) return state_key.status();
    return DataLoss("state.s3ml sealed state key was altered: " + state_key.status().message());
  }
  std::array<uint8_t, 32> config_digest{};
  S3ML_ASSIGN_OR_RETURN(EcsState state, DecryptState(state_key.value(), parsed, &config_digest));

  const std::array<uint8_t, 32> file_hash = crypto::Sha256(file.value());
  S3ML_ASSIGN_OR_RETURN(std::optional<HeadRecord> head, ReadHead());
  if (!head.has_value()) {
    return DataLoss("head.s3ml is missing from " + dir_ +
                    ", so a rollback of state.s3ml cannot be excluded: restore head.s3ml or use recover");
  }
  if (parsed.header.version < head->version) {
    return FailedPrecondition("state version " + std::to_string(parsed.header.version) +
                              " is older than committed version " + std::to_string(head->version));
  }
  if (parsed.header.version == head->version && file_hash != head->state_sha256) {
    return DataLoss("state.s3ml is not the file committed as version " + std::to_string(head->version) +
                    " (head.s3ml records another)");
  }

  S3ML_RETURN_IF_ERROR(OpenJournal(state_key.value(), state));
  state_key_ = std::move(state_key).value();
  sealed_state_key_ = parsed.header.sealed_state_key;
  seal_check_ = parsed.header.seal_check;
  recovery_wrap_ = parsed.header.recovery_wrap;
  committed_version_ = parsed.header.version;
  committed_config_ = config_digest;
  committed_anchor_ = state.audit_anchor;
  head_exists_ = true;
  // The state is one commit ahead of the head after a crash between the two writes.
  if (parsed.header.version > head->version) {
    S3ML_RETURN_IF_ERROR(WriteHead(HeadRecord{parsed.header.version, file_hash}));
  }
  loaded_ = true;
  return std::optional<EcsState>(std::move(state));
}

Status StateStore::Commit(EcsState& state) {
  if (!loaded_) return FailedPrecondition("state store: Load or Recover must succeed before Commit");
  if (state.version != committed_version_) {
    return FailedPrecondition("state version " + std::to_string(state.version) + " is not the committed version " +
                              std::to_string(committed_version_) + " (stale copy?)");
  }
  // Everything that can refuse the state runs before anything is written.
  S3ML_RETURN_IF_ERROR(ValidateEcsState(state));
  // Parsed once per manifest, not at every (audit-only) commit.
  if (!recovery_key_manifest_.has_value() || *recovery_key_manifest_ != state.manifest) {
    S3ML_ASSIGN_OR_RETURN(recovery_key_, RecoveryKeyOf(state.manifest));
    recovery_key_manifest_ = state.manifest;
  }
  const std::optional<crypto::EcKey>& recovery_key = recovery_key_;
  const std::vector<AuditEntry>& entries = state.audit.entries();
  const AuditAnchor journal_now = journal_ ? journal_->anchor() : AuditAnchor{};
  if (entries.size() < journal_now.count ||
      (journal_now.count > 0 && entries[journal_now.count - 1].hash != journal_now.head)) {
    return FailedPrecondition("the state's audit log does not extend the audit journal (stale copy?)");
  }

  if (state_key_.empty()) {
    S3ML_ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::RandomSecret(kStateKeySize));
    S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> sealed, tee::Seal(platform_, kPolicy, kStateKeyLabel, key.span()));
    S3ML_ASSIGN_OR_RETURN(seal_check_, OwnSealCheck());
    S3ML_ASSIGN_OR_RETURN(journal_, AuditJournal::Create(path(kJournalFile), key.span()));
    state_key_ = std::move(key);
    sealed_state_key_ = std::move(sealed);
    recovery_wrap_.clear();
  }

  // The audit entries first: once durable they may be acknowledged, whether or not the
  // configuration below changes (a provisioning changes nothing else).
  S3ML_RETURN_IF_ERROR(journal_->Append(std::span<const AuditEntry>(entries).subspan(journal_now.count)));

  state.audit_anchor = journal_->anchor();
  Status written = WriteStateIfChanged(state, recovery_key);
  // Whatever happened, state.audit_anchor says what state.s3ml anchors now.
  state.audit_anchor = committed_anchor_;
  return written;
}

Status StateStore::WriteStateIfChanged(EcsState& state, const std::optional<crypto::EcKey>& recovery_key) {
  S3ML_ASSIGN_OR_RETURN(crypto::SecretBytes plaintext, EncodeEcsState(state));
  const std::array<uint8_t, 32> config = ConfigDigest(plaintext.span());
  if (committed_version_ > 0 && config == committed_config_) return Status::Ok();  // journal only

  std::vector<uint8_t> wrap;
  if (recovery_key.has_value()) {
    S3ML_ASSIGN_OR_RETURN(crypto::KeyWrapRecipientId recipient, crypto::KeyWrapRecipientIdOf(*recovery_key));
    auto current = crypto::ParseKeyWrapHeader(recovery_wrap_);
    if (current.ok() && current->recipient == recipient) {
      wrap = recovery_wrap_;  // still for the manifest's key: wrapping again would change nothing
    } else {
      S3ML_ASSIGN_OR_RETURN(wrap, crypto::WrapKey(*recovery_key, kStateKeyLabel, state_key_.span()));
    }
  }

  StateFileHeader header{committed_version_ + 1, seal_check_, sealed_state_key_, wrap};
  S3ML_RETURN_IF_ERROR(WriteStateFile(header, plaintext.span()));
  committed_version_ = header.version;
  committed_config_ = config;
  committed_anchor_ = state.audit_anchor;
  recovery_wrap_ = std::move(wrap);
  state.version = header.version;
  return Status::Ok();
}

Result<EcsState> StateStore::Recover(std::string_view recovery_private_key_pem) {
  auto recovery_key = crypto::EcKey::FromPrivateKeyPem(recovery_private_key_pem);
  if (!recovery_key.ok()) return InvalidArgument("recovery key: " + recovery_key.status().message());
  auto file = ReadFileBytes(path(kStateFile), kMaxStateFileSize);
  if (!file.ok() && file.status().code() == StatusCode::kNotFound) {
    return NotFound("no state.s3ml in " + dir_ + " to recover");
  }
  if (!file.ok()) return file.status();
  S3ML_ASSIGN_OR_RETURN(ParsedStateFile parsed, ParseStateFile(file.value()));
  if (parsed.header.recovery_wrap.empty()) {
    return FailedPrecondition("state.s3ml has no recovery wrap: no manifest with a recovery_public_key was committed");
  }
  auto state_key = CheckedStateKey(crypto::UnwrapKey(*recovery_key, kStateKeyLabel, parsed.header.recovery_wrap));
  if (!state_key.ok()) return state_key.status().WithContext("recovery key refused");
  std::array<uint8_t, 32> config_digest{};
  S3ML_ASSIGN_OR_RETURN(EcsState state, DecryptState(state_key.value(), parsed, &config_digest));
  // The journal is readable with the recovered key as it is: the anchor checks it as at Load.
  S3ML_RETURN_IF_ERROR(OpenJournal(state_key.value(), state));

  // Re-seal the same state key for this platform; the recovery wrap stays valid as it is.
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> sealed,
                        tee::Seal(platform_, kPolicy, kStateKeyLabel, state_key->span()));
  S3ML_ASSIGN_OR_RETURN(auto own_check, OwnSealCheck());
  state_key_ = std::move(state_key).value();
  sealed_state_key_ = std::move(sealed);
  seal_check_ = own_check;
  recovery_wrap_ = parsed.header.recovery_wrap;
  // The head found here (another host's, or a stale one) is replaced, not consulted.
  head_exists_ = true;
  loaded_ = false;
  StateFileHeader header{parsed.header.version + 1, seal_check_, sealed_state_key_, recovery_wrap_};
  S3ML_ASSIGN_OR_RETURN(crypto::SecretBytes plaintext, EncodeEcsState(state));
  S3ML_RETURN_IF_ERROR(WriteStateFile(header, plaintext.span()));
  committed_version_ = header.version;
  committed_config_ = config_digest;
  committed_anchor_ = state.audit_anchor;
  loaded_ = true;
  state.version = header.version;
  return state;
}

}  // namespace s3ml::ecs
