#include "ecs/audit_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/byte_reader.h"
#include "core/file.h"
#include "crypto/hkdf.h"
#include "tee/byte_writer.h"

namespace s3ml::ecs {
namespace {

constexpr std::string_view kMagic = "S3MLAUDT";
constexpr std::string_view kKeyInfo = "s3ml-ecs-audit-journal-key-v1";
constexpr std::string_view kIdInfo = "s3ml-ecs-audit-journal-id-v1";
constexpr size_t kHeaderSize = 8 + 2 + 32;
constexpr size_t kMaxJournalSize = size_t{4} << 30;

Status ErrnoError(const std::string& what) {
  const int err = errno;
  return Unavailable(what + ": " + std::strerror(err));
}

struct Keys {
  crypto::SecretBytes record_key;
  std::array<uint8_t, 32> id{};
};

Result<Keys> DeriveKeys(std::span<const uint8_t> state_key) {
  if (state_key.size() != 32) return InvalidArgument("audit journal: the state key must be 32 bytes");
  Keys keys;
  S3ML_ASSIGN_OR_RETURN(keys.record_key, crypto::HkdfSha256(state_key, {}, AsBytes(kKeyInfo), 32));
  S3ML_ASSIGN_OR_RETURN(crypto::SecretBytes id, crypto::HkdfSha256(state_key, {}, AsBytes(kIdInfo), 32));
  std::copy(id.data(), id.data() + 32, keys.id.begin());
  return keys;
}

std::vector<uint8_t> Header(const std::array<uint8_t, 32>& id) {
  tee::ByteWriter w;
  w.Bytes(AsBytes(kMagic));
  w.U16Le(kAuditJournalFormatVersion);
  w.Bytes(id);
  return w.Take();
}

std::array<uint8_t, 16> RecordAad(uint64_t seq) {
  std::array<uint8_t, 16> aad{};
  std::copy(kMagic.begin(), kMagic.end(), aad.begin());
  for (int i = 0; i < 8; ++i) aad[8 + i] = static_cast<uint8_t>(seq >> (8 * i));
  return aad;
}

Status FsyncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return ErrnoError("open " + path);
  const int rc = ::fsync(fd);
  Status s = rc == 0 ? Status::Ok() : ErrnoError("fsync " + path);
  ::close(fd);
  return s;
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

Status WriteAll(int fd, std::span<const uint8_t> bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError("write " + path);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status RecordError(uint64_t seq, const std::string& what) {
  return DataLoss("audit journal record " + std::to_string(seq) + ": " + what);
}

}  // namespace

AuditJournal::AuditJournal(std::string path, crypto::Aes256Gcm aead) : path_(std::move(path)), aead_(std::move(aead)) {}

AuditJournal::~AuditJournal() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<AuditJournal>> AuditJournal::Create(const std::string& path,
                                                           std::span<const uint8_t> state_key) {
  S3ML_ASSIGN_OR_RETURN(Keys keys, DeriveKeys(state_key));
  S3ML_ASSIGN_OR_RETURN(crypto::Aes256Gcm aead, crypto::Aes256Gcm::Create(keys.record_key.span()));
  std::unique_ptr<AuditJournal> journal(new AuditJournal(path, std::move(aead)));
  journal->id_ = keys.id;
  // Whatever was there belonged to a state key that no committed state uses.
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoError("remove " + path);
  return journal;
}

Result<std::unique_ptr<AuditJournal>> AuditJournal::Open(const std::string& path, std::span<const uint8_t> state_key,
                                                         const AuditAnchor& anchor,
                                                         std::vector<AuditEntry>* entries) {
  entries->clear();
  S3ML_ASSIGN_OR_RETURN(Keys keys, DeriveKeys(state_key));
  S3ML_ASSIGN_OR_RETURN(crypto::Aes256Gcm aead, crypto::Aes256Gcm::Create(keys.record_key.span()));
  std::unique_ptr<AuditJournal> journal(new AuditJournal(path, std::move(aead)));
  journal->id_ = keys.id;

  auto file = ReadFileBytes(path, kMaxJournalSize);
  if (!file.ok() && file.status().code() == StatusCode::kNotFound) {
    if (anchor.count > 0 || anchor.journal_bytes > 0) {
      return DataLoss("audit journal " + path + " is missing but the state anchors " + std::to_string(anchor.count) +
                      " entries");
    }
    return journal;
  }
  if (!file.ok()) {
    if (file.status().code() == StatusCode::kResourceExhausted) return DataLoss(file.status().message());
    return file.status();
  }
  const std::vector<uint8_t>& bytes = file.value();
  if (bytes.size() < kHeaderSize) {
    // A crash while the file was being created: nothing in it was ever acknowledged.
    if (anchor.journal_bytes > 0) {
      return DataLoss("audit journal is truncated to " + std::to_string(bytes.size()) + " bytes but the state anchors " +
                      std::to_string(anchor.journal_bytes));
    }
    if (::unlink(path.c_str()) != 0) return ErrnoError("remove torn " + path);
    return journal;
  }
  ByteReader r(bytes);
  std::span<const uint8_t> magic;
  uint16_t format = 0;
  std::array<uint8_t, 32> id{};
  if (!r.ReadBytes(kMagic.size(), &magic) || !std::equal(magic.begin(), magic.end(), kMagic.begin()) ||
      !r.ReadU16Le(&format) || !r.CopyBytes(id)) {
    return DataLoss("audit journal does not start with the S3MLAUDT header");
  }
  if (format != kAuditJournalFormatVersion) {
    return DataLoss("audit journal format version " + std::to_string(format) + " is not supported (1)");
  }
  if (id != keys.id) {
    return DataLoss("audit journal belongs to another deployment (its id does not derive from this state's key)");
  }

  std::array<uint8_t, 32> head{};
  uint64_t good_bytes = r.offset();
  bool torn = false;
  while (!r.empty()) {
    const uint64_t seq = entries->size();
    const size_t record_start = r.offset();
    uint32_t length = 0;
    std::span<const uint8_t> sealed;
    const bool complete = r.ReadU32Le(&length) && length >= crypto::Aes256Gcm::kOverhead &&
                          length <= kMaxAuditRecordSize + crypto::Aes256Gcm::kOverhead && r.ReadBytes(length, &sealed);
    Result<crypto::SecretBytes> plain = complete ? journal->aead_.Open(sealed, RecordAad(seq)) : Result<crypto::SecretBytes>(
                                                                                          DataLoss("incomplete"));
    if (!plain.ok()) {
      // Only the last record after the anchor may be torn (a crash during its append, before
      // it was acknowledged); anything else is damage.
      const bool last = !complete || r.empty();
      if (last && record_start >= anchor.journal_bytes) {
        torn = true;
        break;
      }
      return RecordError(seq, complete ? "failed authentication: altered, moved, or from another deployment"
                                       : "is truncated");
    }
    const nlohmann::json j = nlohmann::json::parse(plain->data(), plain->data() + plain->size(), nullptr, false);
    if (j.is_discarded()) return RecordError(seq, "is not JSON");
    S3ML_ASSIGN_OR_RETURN(AuditEntry entry, AuditEntryFromJson(j, seq));
    if (entry.seq != seq) return RecordError(seq, "holds seq " + std::to_string(entry.seq));
    if (entry.prev_hash != head) return RecordError(seq, "prev_hash does not match the previous record's hash");
    if (AuditEntryHash(entry) != entry.hash) return RecordError(seq, "hash does not match the entry's contents");
    head = entry.hash;
    entries->push_back(std::move(entry));
    good_bytes = r.offset();
    if (entries->size() == anchor.count && good_bytes != anchor.journal_bytes) {
      return DataLoss("audit journal: entry " + std::to_string(anchor.count - 1) + " ends at byte " +
                      std::to_string(good_bytes) + ", not at the anchored " + std::to_string(anchor.journal_bytes));
    }
    if (entries->size() == anchor.count && head != anchor.head) {
      return DataLoss("audit journal: entry " + std::to_string(anchor.count - 1) +
                      "'s hash is not the anchored head (the journal was replaced)");
    }
  }
  if (entries->size() < anchor.count || good_bytes < anchor.journal_bytes) {
    return DataLoss("audit journal holds " + std::to_string(entries->size()) + " entries but the state anchors " +
                    std::to_string(anchor.count) + ": records were removed or the journal was truncated");
  }
  if (torn) {
    if (::truncate(path.c_str(), static_cast<off_t>(good_bytes)) != 0) return ErrnoError("truncate torn " + path);
  }
  journal->count_ = entries->size();
  journal->bytes_ = good_bytes;
  journal->head_ = head;
  S3ML_RETURN_IF_ERROR(journal->OpenForAppend(/*create=*/false));
  // Make the cut durable before anything new is appended after it.
  if (torn && ::fsync(journal->fd_) != 0) return ErrnoError("fsync " + path);
  return journal;
}

Status AuditJournal::OpenForAppend(bool create) {
  const int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT | O_EXCL : 0);
  fd_ = ::open(path_.c_str(), flags, 0600);
  if (fd_ < 0) return ErrnoError("open " + path_);
  return Status::Ok();
}

Status AuditJournal::Append(std::span<const AuditEntry> entries) {
  if (broken_) return Unavailable("audit journal: an earlier append failed; reopen");
  if (entries.empty()) return Status::Ok();
  std::vector<uint8_t> out;
  const bool create = bytes_ == 0;
  if (create) out = Header(id_);
  uint64_t seq = count_;
  std::array<uint8_t, 32> head = head_;
  for (const AuditEntry& e : entries) {
    if (e.seq != seq || e.prev_hash != head) {
      return FailedPrecondition("audit journal: entry " + std::to_string(e.seq) + " does not continue the chain at " +
                                std::to_string(seq));
    }
    const std::string text = AuditEntryToJson(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (text.size() > kMaxAuditRecordSize) {
      return InvalidArgument("audit entry " + std::to_string(seq) + " is larger than " +
                             std::to_string(kMaxAuditRecordSize) + " bytes");
    }
    S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> sealed, aead_.Seal(AsBytes(text), RecordAad(seq)));
    const uint32_t length = static_cast<uint32_t>(sealed.size());
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(length >> (8 * i)));
    out.insert(out.end(), sealed.begin(), sealed.end());
    head = e.hash;
    ++seq;
  }
  broken_ = true;  // until the bytes are durable
  if (create) S3ML_RETURN_IF_ERROR(OpenForAppend(/*create=*/true));
  S3ML_RETURN_IF_ERROR(WriteAll(fd_, out, path_));
  if (create) {
    if (::fsync(fd_) != 0) return ErrnoError("fsync " + path_);
    S3ML_RETURN_IF_ERROR(FsyncPath(DirOf(path_), O_RDONLY | O_DIRECTORY));
  } else if (::fdatasync(fd_) != 0) {
    return ErrnoError("fdatasync " + path_);
  }
  broken_ = false;
  count_ = seq;
  bytes_ += out.size();
  head_ = head;
  return Status::Ok();
}

}  // namespace s3ml::ecs
