#include "ecs/state_codec.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include "core/byte_reader.h"

namespace s3ml::ecs {
namespace {

constexpr size_t kModelKeySize = 32;
constexpr size_t kMaxModelNameSize = 64;
constexpr size_t kMaxPemSize = 64u << 10;

bool ValidModelName(std::string_view name) {
  if (name.empty() || name.size() > kMaxModelNameSize) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

// A PEM block of the given type, alone: "-----BEGIN T-----" ... "-----END T-----" and a newline at
// most. Only the shape is checked here; the CA code parses the contents when it uses them.
Status CheckPem(std::span<const uint8_t> bytes, std::string_view type, std::string_view field) {
  const std::string_view pem(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const std::string begin = "-----BEGIN " + std::string(type) + "-----";
  const std::string end = "-----END " + std::string(type) + "-----";
  if (pem.empty()) return InvalidArgument(std::string(field) + " is empty");
  if (pem.size() > kMaxPemSize) {
    return InvalidArgument(std::string(field) + " is " + std::to_string(pem.size()) + " bytes, more than " +
                           std::to_string(kMaxPemSize));
  }
  std::string_view trimmed = pem;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.remove_suffix(1);
  if (!trimmed.starts_with(begin) || !trimmed.ends_with(end) || trimmed.size() < begin.size() + end.size()) {
    return InvalidArgument(std::string(field) + " is not a PEM " + std::string(type));
  }
  return Status::Ok();
}

// Writes the format into a buffer sized exactly beforehand, so key material is never left behind
// in memory that a growing vector released. Run once with out == nullptr to count.
class Writer {
 public:
  explicit Writer(uint8_t* out) : out_(out) {}
  void Bytes(std::span<const uint8_t> b) {
    if (out_ != nullptr && !b.empty()) std::memcpy(out_ + pos_, b.data(), b.size());
    pos_ += b.size();
  }
  void Uint(uint64_t v, int size) {
    for (int i = 0; i < size; ++i) {
      if (out_ != nullptr) out_[pos_] = static_cast<uint8_t>(v >> (8 * i));
      ++pos_;
    }
  }
  void Str(std::span<const uint8_t> b) {
    Uint(b.size(), 4);
    Bytes(b);
  }
  size_t size() const { return pos_; }

 private:
  uint8_t* out_;
  size_t pos_ = 0;
};

void Write(const EcsState& s, Writer& w) {
  w.Uint(kStateCodecVersion, 2);
  w.Uint(static_cast<uint64_t>(s.created_at), 8);
  w.Str(AsBytes(s.root_ca_certificate_pem));
  w.Str(s.root_ca_private_key_pem.span());
  w.Str(AsBytes(s.intermediate_certificate_pem));
  w.Str(s.intermediate_private_key_pem.span());
  w.Str(s.service_private_key_pem.span());
  w.Uint(s.manifest.has_value() ? 1 : 0, 1);
  if (s.manifest.has_value()) w.Str(AsBytes(*s.manifest));
  w.Uint(s.model_keys.size(), 4);
  for (const auto& [name, key] : s.model_keys) {
    w.Uint(name.size(), 2);
    w.Bytes(AsBytes(name));
    w.Uint(key.size(), 2);
    w.Bytes(key.span());
  }
  w.Uint(s.audit_anchor.count, 8);
  w.Uint(s.audit_anchor.journal_bytes, 8);
  w.Bytes(s.audit_anchor.head);
}

std::string AsString(std::span<const uint8_t> b) { return std::string(b.begin(), b.end()); }

Status Truncated(std::string_view field) { return DataLoss("state is truncated in " + std::string(field)); }

}  // namespace

Status ValidateEcsState(const EcsState& s) {
  S3ML_RETURN_IF_ERROR(CheckPem(AsBytes(s.root_ca_certificate_pem), "CERTIFICATE", "root_ca_certificate_pem"));
  S3ML_RETURN_IF_ERROR(CheckPem(s.root_ca_private_key_pem.span(), "PRIVATE KEY", "root_ca_private_key_pem"));
  S3ML_RETURN_IF_ERROR(
      CheckPem(AsBytes(s.intermediate_certificate_pem), "CERTIFICATE", "intermediate_certificate_pem"));
  S3ML_RETURN_IF_ERROR(
      CheckPem(s.intermediate_private_key_pem.span(), "PRIVATE KEY", "intermediate_private_key_pem"));
  S3ML_RETURN_IF_ERROR(CheckPem(s.service_private_key_pem.span(), "PRIVATE KEY", "service_private_key_pem"));
  if (s.manifest.has_value() && (s.manifest->empty() || s.manifest->size() > kMaxManifestSize)) {
    return InvalidArgument("manifest is " + std::to_string(s.manifest->size()) + " bytes, outside 1.." +
                           std::to_string(kMaxManifestSize));
  }
  for (const auto& [name, key] : s.model_keys) {
    if (!ValidModelName(name)) return InvalidArgument("model name '" + name + "' does not match [a-z0-9._-]{1,64}");
    if (key.size() != kModelKeySize) {
      return InvalidArgument("model '" + name + "' key is " + std::to_string(key.size()) + " bytes, not 32");
    }
  }
  return Status::Ok();
}

Result<crypto::SecretBytes> EncodeEcsState(const EcsState& state) {
  S3ML_RETURN_IF_ERROR(ValidateEcsState(state));
  Writer counter(nullptr);
  Write(state, counter);
  crypto::SecretBytes out(counter.size());
  Writer writer(out.data());
  Write(state, writer);
  return out;
}

Result<EcsState> DecodeEcsState(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  EcsState s;
  uint16_t codec_version = 0;
  if (!r.ReadU16Le(&codec_version)) return Truncated("codec version");
  if (codec_version != kStateCodecVersion) {
    return DataLoss("state codec version " + std::to_string(codec_version) + " is not supported (" +
                    std::to_string(kStateCodecVersion) + ")");
  }
  uint64_t created_at = 0;
  if (!r.ReadU64Le(&created_at)) return Truncated("created_at");
  s.created_at = static_cast<int64_t>(created_at);
  std::span<const uint8_t> field;
  if (!r.ReadU32LePrefixed(&field)) return Truncated("root_ca_certificate_pem");
  s.root_ca_certificate_pem = AsString(field);
  if (!r.ReadU32LePrefixed(&field)) return Truncated("root_ca_private_key_pem");
  s.root_ca_private_key_pem = crypto::SecretBytes(field);
  if (!r.ReadU32LePrefixed(&field)) return Truncated("intermediate_certificate_pem");
  s.intermediate_certificate_pem = AsString(field);
  if (!r.ReadU32LePrefixed(&field)) return Truncated("intermediate_private_key_pem");
  s.intermediate_private_key_pem = crypto::SecretBytes(field);
  if (!r.ReadU32LePrefixed(&field)) return Truncated("service_private_key_pem");
  s.service_private_key_pem = crypto::SecretBytes(field);

  uint8_t has_manifest = 0;
  if (!r.ReadU8(&has_manifest)) return Truncated("manifest flag");
  if (has_manifest > 1) return DataLoss("state manifest flag is " + std::to_string(has_manifest) + ", not 0 or 1");
  if (has_manifest == 1) {
    if (!r.ReadU32LePrefixed(&field)) return Truncated("manifest");
    s.manifest = AsString(field);
  }

  uint32_t model_count = 0;
  if (!r.ReadU32Le(&model_count)) return Truncated("model key count");
  // Each model takes at least 4 bytes: refuse a count the remaining input cannot hold before
  // looping on it.
  if (model_count > r.remaining() / 4) {
    return DataLoss("state model key count " + std::to_string(model_count) + " exceeds the data");
  }
  for (uint32_t i = 0; i < model_count; ++i) {
    std::span<const uint8_t> name, key;
    if (!r.ReadU16LePrefixed(&name) || !r.ReadU16LePrefixed(&key)) return Truncated("model key " + std::to_string(i));
    std::string model = AsString(name);
    // Strictly increasing names: the encoder writes map order, so this also refuses duplicates.
    if (!s.model_keys.empty() && !(s.model_keys.rbegin()->first < model)) {
      return DataLoss("state model keys are not in strictly increasing name order at '" + model + "'");
    }
    s.model_keys.emplace_hint(s.model_keys.end(), std::move(model), crypto::SecretBytes(key));
  }

  if (!r.ReadU64Le(&s.audit_anchor.count) || !r.ReadU64Le(&s.audit_anchor.journal_bytes) ||
      !r.CopyBytes(s.audit_anchor.head)) {
    return Truncated("audit anchor");
  }
  if (!r.empty()) return DataLoss("state has " + std::to_string(r.remaining()) + " trailing bytes");

  Status valid = ValidateEcsState(s);
  if (!valid.ok()) return DataLoss("state field check failed: " + valid.message());
  return s;
}

}  // namespace s3ml::ecs
