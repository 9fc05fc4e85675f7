#include "client/encrypted_model.h"

#include <cstring>

#include "crypto/aes_gcm.h"

namespace s3ml::client {
namespace {

constexpr size_t kMagicSize = sizeof(kEncryptedModelMagic) - 1;
constexpr char kAadLabel[] = "s3ml-model-v1";

void AppendLittleEndian(std::vector<uint8_t>& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

}  // namespace

std::vector<uint8_t> ModelAad(std::string_view model_name, uint64_t version) {
  std::vector<uint8_t> aad(kAadLabel, kAadLabel + sizeof(kAadLabel) - 1);
  AppendLittleEndian(aad, model_name.size(), 4);
  aad.insert(aad.end(), model_name.begin(), model_name.end());
  AppendLittleEndian(aad, version, 8);
  return aad;
}

Result<std::vector<uint8_t>> EncryptModel(std::span<const uint8_t> model_key, std::string_view model_name,
                                          uint64_t version, std::span<const uint8_t> plaintext) {
  if (model_key.size() != kModelKeySize) return InvalidArgument("model key must be 32 bytes");
  S3ML_ASSIGN_OR_RETURN(auto cipher, crypto::Aes256Gcm::Create(model_key));
  S3ML_ASSIGN_OR_RETURN(auto sealed, cipher.Seal(plaintext, ModelAad(model_name, version)));
  std::vector<uint8_t> file(kEncryptedModelMagic, kEncryptedModelMagic + kMagicSize);
  file.insert(file.end(), sealed.begin(), sealed.end());
  return file;
}

Result<crypto::SecretBytes> DecryptModel(std::span<const uint8_t> model_key, std::string_view model_name,
                                         uint64_t version, std::span<const uint8_t> file_bytes) {
  if (model_key.size() != kModelKeySize) return InvalidArgument("model key must be 32 bytes");
  if (file_bytes.size() < kMagicSize || std::memcmp(file_bytes.data(), kEncryptedModelMagic, kMagicSize) != 0) {
    return InvalidArgument("not an s3ml encrypted model file (magic S3MLMOD1 missing)");
  }
  auto sealed = file_bytes.subspan(kMagicSize);
  if (sealed.size() < crypto::Aes256Gcm::kOverhead) return DataLoss("encrypted model file is truncated");
  S3ML_ASSIGN_OR_RETURN(auto cipher, crypto::Aes256Gcm::Create(model_key));
  auto plaintext = cipher.Open(sealed, ModelAad(model_name, version));
  if (!plaintext.ok()) {
    return DataLoss("encrypted model " + std::string(model_name) + " version " + std::to_string(version) +
                         ": authentication failed (wrong key, wrong model/version, or altered file)");
  }
  return std::move(plaintext).value();
}

}  // namespace s3ml::client
