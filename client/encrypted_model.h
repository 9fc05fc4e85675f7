// Encrypted model files (model.tflite.s3ml): how a model sits in the untrusted repository.
//
//   "S3MLMOD1" (8) | nonce (12) | ciphertext | tag (16)      AES-256-GCM under the model key
//   AAD = "s3ml-model-v1" | u32le len(name) | name | u64le version
//
// The AAD binds the file to its model name and version, so the storage operator cannot swap
// versions or models. DecryptModel errors: kInvalidArgument for a file that is not in this format
// or a key that is not 32 bytes, kDataLoss for a wrong key, another name/version, truncation or any
// altered byte ("authentication failed"). The plaintext is returned as SecretBytes: the model is
// the owner's secret and is wiped when released.
//
// A version's labels file (labels.txt.s3ml beside model.tflite.s3ml) is sealed the same way under
// the same key, so that the labels an enclave returns are the owner's for that very version:
//   "S3MLLBL1" (8) | nonce (12) | ciphertext | tag (16)
//   AAD = "s3ml-labels-v1" | u32le len(name) | name | u64le version
// Its own magic and AAD keep a labels file and a model file from standing in for each other.
#ifndef S3ML_CLIENT_ENCRYPTED_MODEL_H_
#define S3ML_CLIENT_ENCRYPTED_MODEL_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/secret_bytes.h"

namespace s3ml::client {

inline constexpr char kEncryptedModelMagic[] = "S3MLMOD1";
inline constexpr char kEncryptedModelFileName[] = "model.tflite.s3ml";
inline constexpr size_t kModelKeySize = 32;
inline constexpr char kEncryptedLabelsMagic[] = "S3MLLBL1";
inline constexpr char kEncryptedLabelsFileName[] = "labels.txt.s3ml";

Result<std::vector<uint8_t>> EncryptModel(std::span<const uint8_t> model_key, std::string_view model_name,
                                          uint64_t version, std::span<const uint8_t> plaintext);

Result<crypto::SecretBytes> DecryptModel(std::span<const uint8_t> model_key, std::string_view model_name,
                                         uint64_t version, std::span<const uint8_t> file_bytes);

// Errors as DecryptModel's.
Result<std::vector<uint8_t>> EncryptLabels(std::span<const uint8_t> model_key, std::string_view model_name,
                                           uint64_t version, std::span<const uint8_t> plaintext);
Result<std::string> DecryptLabels(std::span<const uint8_t> model_key, std::string_view model_name, uint64_t version,
                                  std::span<const uint8_t> file_bytes);

// The associated data of a model file for (name, version), as laid out above.
std::vector<uint8_t> ModelAad(std::string_view model_name, uint64_t version);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_ENCRYPTED_MODEL_H_
