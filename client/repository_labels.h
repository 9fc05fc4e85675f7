// Puts a model version's labels into a repository the way the server reads them: sealed under the
// model key as <model_dir>/<version>/labels.txt.s3ml (encrypted_model.h), and named in
// <model_dir>/config.json ("labels": "labels.txt.s3ml"; the other settings of an existing config
// are kept). The config is the model's, so every version of it must then have its labels file:
// the server refuses a version without one.
// Errors: those of sealing and writing, kInvalidArgument for an existing config that is not a
// JSON object.
#ifndef S3ML_CLIENT_REPOSITORY_LABELS_H_
#define S3ML_CLIENT_REPOSITORY_LABELS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace s3ml::client {

Status WriteSealedLabels(std::span<const uint8_t> model_key, std::string_view model_name, uint64_t version,
                         std::span<const uint8_t> labels, const std::string& model_dir);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_REPOSITORY_LABELS_H_
