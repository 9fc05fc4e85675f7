#include "tee/sealing.h"

#include <cstring>

#include "core/byte_reader.h"
#include "crypto/aes_gcm.h"
#include "tee/byte_writer.h"

namespace s3ml::tee {
namespace {

constexpr char kMagic[4] = {'S', '3', 'S', 'L'};

}  // namespace

Result<std::vector<uint8_t>> Seal(Platform& platform, SealKeyPolicy policy, std::string_view label,
                                  std::span<const uint8_t> plaintext) {
  S3ML_RETURN_IF_ERROR(CheckSealKeyLabel(label));
  ByteWriter header;
  header.Bytes(AsBytes(std::string_view(kMagic, 4)));
  header.U8(kSealedFormatVersion);
  header.U8(static_cast<uint8_t>(policy));
  header.U16Le(static_cast<uint16_t>(label.size()));
  header.Bytes(AsBytes(label));
  S3ML_ASSIGN_OR_RETURN(crypto::SecretBytes key, platform.GetSealKey(policy, label));
  S3ML_ASSIGN_OR_RETURN(crypto::Aes256Gcm aead, crypto::Aes256Gcm::Create(key.span()));
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> sealed, aead.Seal(plaintext, header.bytes()));
  std::vector<uint8_t> out = header.Take();
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

Result<SealedHeader> ParseSealedHeader(std::span<const uint8_t> sealed) {
  ByteReader r(sealed);
  std::span<const uint8_t> magic, label;
  uint8_t version = 0, policy = 0;
  if (!r.ReadBytes(4, &magic) || std::memcmp(magic.data(), kMagic, 4) != 0) {
    return DataLoss("sealed data does not start with the S3SL magic");
  }
  if (!r.ReadU8(&version) || !r.ReadU8(&policy) || !r.ReadU16LePrefixed(&label)) {
    return DataLoss("sealed data header is truncated");
  }
  if (version != kSealedFormatVersion) {
    return DataLoss("sealed data format version " + std::to_string(version) + " is not supported (1)");
  }
  auto parsed_policy = SealKeyPolicyFromByte(policy);
  if (!parsed_policy.ok()) return DataLoss("sealed data header: " + parsed_policy.status().message());
  SealedHeader h;
  h.version = version;
  h.policy = parsed_policy.value();
  h.label.assign(label.begin(), label.end());
  if (!CheckSealKeyLabel(h.label).ok()) return DataLoss("sealed data header: label is empty or longer than 256 bytes");
  h.size = r.offset();
  return h;
}

Result<crypto::SecretBytes> Unseal(Platform& platform, std::string_view expected_label, std::span<const uint8_t> sealed,
                                   size_t max_size) {
  if (sealed.size() > max_size) {
    return ResourceExhausted("sealed data is " + std::to_string(sealed.size()) + " bytes, more than the " +
                             std::to_string(max_size) + " allowed");
  }
  S3ML_ASSIGN_OR_RETURN(SealedHeader header, ParseSealedHeader(sealed));
  if (header.label != expected_label) {
    return PermissionDenied("sealed data is for label '" + header.label + "', not '" + std::string(expected_label) +
                            "'");
  }
  if (sealed.size() - header.size < crypto::Aes256Gcm::kOverhead) {
    return DataLoss("sealed data is truncated: no room for nonce and tag");
  }
  S3ML_ASSIGN_OR_RETURN(crypto::SecretBytes key, platform.GetSealKey(header.policy, header.label));
  S3ML_ASSIGN_OR_RETURN(crypto::Aes256Gcm aead, crypto::Aes256Gcm::Create(key.span()));
  auto plain = aead.Open(sealed.subspan(header.size), sealed.first(header.size));
  if (!plain.ok()) {
    return DataLoss("sealed data (" + std::string(SealKeyPolicyName(header.policy)) + " policy, label '" +
                    header.label +
                    "') cannot be opened: it was sealed by another enclave identity or host, or it was altered");
  }
  return plain;
}

}  // namespace s3ml::tee
