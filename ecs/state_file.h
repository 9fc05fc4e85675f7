// The byte layouts of the StateStore's two files (state_store.h says what they are for).
//
// state.s3ml, format version 1 (integers little-endian):
//   "S3MLSTAT" (8) | u16 format version (1) | u64 state version | seal check (32) |
//   u32 length + sealed state key (tee::Seal, MRSIGNER, label "s3ml-ecs-state-key") |
//   u32 length + recovery wrap (crypto/key_wrap.h, label "s3ml-ecs-state-key"; length 0 = none) |
//   nonce (12) | AES-256-GCM ciphertext of the state codec (state_codec.h) | tag (16)
// The whole header (everything before the nonce) is the AEAD's associated data: the version
// counter, the sealed key and the recovery wrap cannot be swapped or altered unnoticed.
// The seal check is SHA-256 of a seal key of its own label: it tells, before any decryption, a
// file sealed on another host or by another signer (kPermissionDenied) from an altered one.
//
// head.s3ml: tee::Seal (MRSIGNER, label "s3ml-ecs-head") of
//   "S3MLHEAD" (8) | u16 format version (1) | u64 committed version | SHA-256 of that state.s3ml (32)
// Version 0 (with a zero hash) marks a first commit in progress: no state yet, but one is coming.
//
// Parsers return kDataLoss naming what is wrong (bad magic, unsupported version, truncation).
#ifndef S3ML_ECS_STATE_FILE_H_
#define S3ML_ECS_STATE_FILE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"

namespace s3ml::ecs {

inline constexpr uint16_t kStateFileFormatVersion = 1;
inline constexpr uint16_t kHeadFormatVersion = 1;
// Bounds for the header's variable parts: both are small key blobs.
inline constexpr size_t kMaxSealedStateKeySize = 1024;
inline constexpr size_t kMaxRecoveryWrapSize = 1024;

struct StateFileHeader {
  uint64_t version = 0;
  std::array<uint8_t, 32> seal_check{};
  std::vector<uint8_t> sealed_state_key;
  std::vector<uint8_t> recovery_wrap;  // empty: no recovery key yet
};

std::vector<uint8_t> SerializeStateFileHeader(const StateFileHeader& header);

struct ParsedStateFile {
  StateFileHeader header;
  std::span<const uint8_t> aad;         // the header bytes
  std::span<const uint8_t> ciphertext;  // nonce | ciphertext | tag
};
// The spans point into `file`.
Result<ParsedStateFile> ParseStateFile(std::span<const uint8_t> file);

struct HeadRecord {
  uint64_t version = 0;
  std::array<uint8_t, 32> state_sha256{};
};

std::vector<uint8_t> SerializeHeadRecord(const HeadRecord& head);
Result<HeadRecord> ParseHeadRecord(std::span<const uint8_t> bytes);

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_STATE_FILE_H_
