// Model key files (`s3ml model encrypt --key-out K`, `--key K`, `s3ml model push --key K`): the
// 32-byte AES-256 model key as 64 lowercase hex digits and a newline, mode 0600.
// WriteNewModelKeyFile never replaces an existing file (kAlreadyExists). ReadModelKeyFile accepts
// the hex form (surrounding whitespace ignored) or exactly 32 raw bytes; anything else is
// kInvalidArgument; a file readable by group or others is kPermissionDenied.
#ifndef S3ML_CLIENT_MODEL_KEY_FILE_H_
#define S3ML_CLIENT_MODEL_KEY_FILE_H_

#include <string>

#include "core/status.h"
#include "crypto/secret_bytes.h"

namespace s3ml::client {

Result<crypto::SecretBytes> GenerateModelKey();
Status WriteNewModelKeyFile(const std::string& path, const crypto::SecretBytes& key);
Result<crypto::SecretBytes> ReadModelKeyFile(const std::string& path);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_MODEL_KEY_FILE_H_
