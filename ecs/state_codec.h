// The EcsState's serialised form: the plaintext that StateStore encrypts into state.s3ml. Binary,
// so that key material is written straight into a wiped buffer (never into transient strings).
//
// Format version 2 (integers little-endian; "str" = u32le length + bytes):
//   u16 codec version (1) | u64 created_at (int64 as two's complement) |
//   str root_ca_certificate_pem | str root_ca_private_key_pem | str intermediate_certificate_pem |
//   str intermediate_private_key_pem | str service_private_key_pem |
//   u8 has_manifest (0/1) [str manifest] |
//   u32 model key count, then per model in name order: u16le name length + name | u16le key length + key |
//   audit anchor: u64 entry count | u64 journal bytes | head hash (32)      (last, fixed size)
// The state version is not part of it: it lives in state.s3ml's authenticated header. The audit
// entries are not part of it either: they live in the audit journal (audit_journal.h), which the
// anchor (EcsState::audit_anchor) pins. Version 1 (the whole audit log as JSON inside the state)
// is no longer read.
//
// Encode and Decode apply the same checks (ValidateEcsState), so a state that commits can always be
// loaded again: certificates and keys are PEM blocks of the right type (at most 64 KiB), model names match
// [a-z0-9._-]{1,64} and their keys are 32 bytes, the manifest is 1 byte .. 1 MiB. The audit chain
// is not checked here (it is verified once, when the journal is loaded, and AuditLog::Append
// keeps it valid). Encode reports kInvalidArgument naming the field; Decode reports kDataLoss.
#ifndef S3ML_ECS_STATE_CODEC_H_
#define S3ML_ECS_STATE_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/status.h"
#include "crypto/secret_bytes.h"
#include "ecs/ecs_state.h"

namespace s3ml::ecs {

inline constexpr uint16_t kStateCodecVersion = 2;
// The encoding ends with the audit anchor, this long: the bytes before it are the configuration.
inline constexpr size_t kEncodedAuditAnchorSize = 8 + 8 + 32;
inline constexpr size_t kMaxManifestSize = 1u << 20;

// kInvalidArgument naming the first field that is missing or malformed.
Status ValidateEcsState(const EcsState& state);

Result<crypto::SecretBytes> EncodeEcsState(const EcsState& state);

// The decoded state has version 0 (the caller sets it from the file header), no audit entries
// and the stored audit_anchor.
Result<EcsState> DecodeEcsState(std::span<const uint8_t> bytes);

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_STATE_CODEC_H_
