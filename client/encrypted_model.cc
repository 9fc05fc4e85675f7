#include "client/encrypted_model.h"

#include <cstring>

#include "crypto/aes_gcm.h"

namespace s3ml::client {
namespace {

constexpr size_t kMagicSize = sizeof(kEncryptedModelMagic) - 1;
static_assert(sizeof(kEncryptedLabelsMagic) - 1 == kMagicSize);
constexpr char kAadLabel[] = "s3ml-model-v1";
constexpr char kLabelsAadLabel[] = "s3ml-labels-v1";

void AppendLittleEndian(std::vector<uint8_t>& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

std::vector<uint8_t> Aad(const char* label, std::string_view model_name, uint64_t version) {
  std::vector<uint8_t> aad(label, label + std::strlen(label));
  AppendLittleEndian(aad, model_name.size(), 4);
  aad.insert(aad.end(), model_name.begin(), model_name.end());
  AppendLittleEndian(aad, version, 8);
  return aad;
}

Result<std::vector<uint8_t>> Seal(std::span<const uint8_t> key, const char* magic, std::span<const uint8_t> aad,
                                  std::span<const uint8_t> plaintext) {
  if (key.size() != kModelKeySize) return InvalidArgument("model key must be 32 bytes");
  S3ML_ASSIGN_OR_RETURN(auto cipher, crypto::Aes256Gcm::Create(key));
  S3ML_ASSIGN_OR_RETURN(auto sealed, cipher.Seal(plaintext, aad));
  std::vector<uint8_t> file(magic, magic + kMagicSize);
  file.insert(file.end(), sealed.begin(), sealed.end());
  return file;
}

// `what` names the file for messages ("encrypted model m version 1").
Result<crypto::SecretBytes> Open(std::span<const uint8_t> key, const char* magic, std::span<const uint8_t> aad,
                                 std::span<const uint8_t> file_bytes, const std::string& kind,
                                 const std::string& what) {
  if (key.size() != kModelKeySize) return InvalidArgument("model key must be 32 bytes");
  if (file_bytes.size() < kMagicSize || std::memcmp(file_bytes.data(), magic, kMagicSize) != 0) {
    return InvalidArgument("not an s3ml " + kind + " file (magic " + std::string(magic) + " missing)");
  }
  auto sealed = file_bytes.subspan(kMagicSize);
  if (sealed.size() < crypto::Aes256Gcm::kOverhead) return DataLoss(kind + " file is truncated");
  S3ML_ASSIGN_OR_RETURN(auto cipher, crypto::Aes256Gcm::Create(key));
  auto plaintext = cipher.Open(sealed, aad);
  if (!plaintext.ok()) return DataLoss(what + ": authentication failed (wrong key, wrong model/version, or altered file)");
  return std::move(plaintext).value();
}

}  // namespace

std::vector<uint8_t> ModelAad(std::string_view model_name, uint64_t version) {
  return Aad(kAadLabel, model_name, version);
}

Result<std::vector<uint8_t>> EncryptModel(std::span<const uint8_t> model_key, std::string_view model_name,
                                          uint64_t version, std::span<const uint8_t> plaintext) {
  return Seal(model_key, kEncryptedModelMagic, ModelAad(model_name, version), plaintext);
}

Result<crypto::SecretBytes> DecryptModel(std::span<const uint8_t> model_key, std::string_view model_name,
                                         uint64_t version, std::span<const uint8_t> file_bytes) {
  return Open(model_key, kEncryptedModelMagic, ModelAad(model_name, version), file_bytes, "encrypted model",
              "encrypted model " + std::string(model_name) + " version " + std::to_string(version));
}

Result<std::vector<uint8_t>> EncryptLabels(std::span<const uint8_t> model_key, std::string_view model_name,
                                           uint64_t version, std::span<const uint8_t> plaintext) {
  return Seal(model_key, kEncryptedLabelsMagic, Aad(kLabelsAadLabel, model_name, version), plaintext);
}

Result<std::string> DecryptLabels(std::span<const uint8_t> model_key, std::string_view model_name, uint64_t version,
                                  std::span<const uint8_t> file_bytes) {
  S3ML_ASSIGN_OR_RETURN(crypto::SecretBytes text,
                        Open(model_key, kEncryptedLabelsMagic, Aad(kLabelsAadLabel, model_name, version), file_bytes,
                             "encrypted labels",
                             "encrypted labels of " + std::string(model_name) + " version " + std::to_string(version)));
  return std::string(reinterpret_cast<const char*>(text.span().data()), text.span().size());
}

}  // namespace s3ml::client
