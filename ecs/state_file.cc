#include "ecs/state_file.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "core/byte_reader.h"
#include "crypto/aes_gcm.h"
#include "tee/byte_writer.h"

namespace s3ml::ecs {
namespace {

constexpr std::string_view kStateMagic = "S3MLSTAT";
constexpr std::string_view kHeadMagic = "S3MLHEAD";

bool ReadMagic(ByteReader& r, std::string_view magic) {
  std::span<const uint8_t> got;
  return r.ReadBytes(magic.size(), &got) && std::equal(got.begin(), got.end(), magic.begin());
}

}  // namespace

std::vector<uint8_t> SerializeStateFileHeader(const StateFileHeader& h) {
  tee::ByteWriter w;
  w.Bytes(AsBytes(kStateMagic));
  w.U16Le(kStateFileFormatVersion);
  w.U64Le(h.version);
  w.Bytes(h.seal_check);
  w.U32Le(static_cast<uint32_t>(h.sealed_state_key.size()));
  w.Bytes(h.sealed_state_key);
  w.U32Le(static_cast<uint32_t>(h.recovery_wrap.size()));
  w.Bytes(h.recovery_wrap);
  return w.Take();
}

Result<ParsedStateFile> ParseStateFile(std::span<const uint8_t> file) {
  if (file.empty()) return DataLoss("state file is empty");
  ByteReader r(file);
  if (!ReadMagic(r, kStateMagic)) return DataLoss("state file does not start with the S3MLSTAT magic");
  uint16_t format = 0;
  if (!r.ReadU16Le(&format)) return DataLoss("state file header is truncated");
  if (format != kStateFileFormatVersion) {
    return DataLoss("state file format version " + std::to_string(format) + " is not supported (1)");
  }
  ParsedStateFile p;
  std::span<const uint8_t> sealed_key, wrap;
  if (!r.ReadU64Le(&p.header.version) || !r.CopyBytes(p.header.seal_check) || !r.ReadU32LePrefixed(&sealed_key) ||
      !r.ReadU32LePrefixed(&wrap)) {
    return DataLoss("state file header is truncated");
  }
  if (sealed_key.empty() || sealed_key.size() > kMaxSealedStateKeySize) {
    return DataLoss("state file sealed key is " + std::to_string(sealed_key.size()) + " bytes, outside 1.." +
                    std::to_string(kMaxSealedStateKeySize));
  }
  if (wrap.size() > kMaxRecoveryWrapSize) {
    return DataLoss("state file recovery wrap is " + std::to_string(wrap.size()) + " bytes, more than " +
                    std::to_string(kMaxRecoveryWrapSize));
  }
  if (p.header.version == 0) return DataLoss("state file version is 0 (committed versions start at 1)");
  p.header.sealed_state_key.assign(sealed_key.begin(), sealed_key.end());
  p.header.recovery_wrap.assign(wrap.begin(), wrap.end());
  p.aad = file.first(r.offset());
  p.ciphertext = r.rest();
  if (p.ciphertext.size() < crypto::Aes256Gcm::kOverhead) {
    return DataLoss("state file is truncated: no room for nonce and tag");
  }
  return p;
}

std::vector<uint8_t> SerializeHeadRecord(const HeadRecord& head) {
  tee::ByteWriter w;
  w.Bytes(AsBytes(kHeadMagic));
  w.U16Le(kHeadFormatVersion);
  w.U64Le(head.version);
  w.Bytes(head.state_sha256);
  return w.Take();
}

Result<HeadRecord> ParseHeadRecord(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  if (!ReadMagic(r, kHeadMagic)) return DataLoss("head record does not start with the S3MLHEAD magic");
  uint16_t format = 0;
  HeadRecord head;
  if (!r.ReadU16Le(&format)) return DataLoss("head record is truncated");
  if (format != kHeadFormatVersion) {
    return DataLoss("head record format version " + std::to_string(format) + " is not supported (1)");
  }
  if (!r.ReadU64Le(&head.version) || !r.CopyBytes(head.state_sha256)) return DataLoss("head record is truncated");
  if (!r.empty()) return DataLoss("head record has " + std::to_string(r.remaining()) + " trailing bytes");
  return head;
}

}  // namespace s3ml::ecs
