// Scans a model repository on untrusted storage for the model versions to serve.
//
//   <root>/<model>/config.json                   optional, see model_config.h
//   <root>/<model>/<version>/model.tflite.s3ml   the (encrypted) model; not opened here
//   <root>/<model>/<version>/<labels>            the (sealed) labels file config.json names, if any
//
// Entries that cannot be served are skipped and reported, never fatal: names that are not
// plain (IsSafeRepositoryName), versions that are not canonical decimal numbers, version
// directories without a model file or without the labels file config.json names, bad
// config.json (then the whole model is skipped), versions a "specific" policy names but the
// repository lacks, and anything (directory, file or symlink) that resolves outside the root.
// Each file's size and modification time are part of its version, so that a file replaced in
// place (or completed after a half-done copy) is loaded again. Results are sorted by
// (model, version), so two scans of an unchanged repository compare equal.
#ifndef S3ML_SERVING_MODEL_REPOSITORY_SCANNER_H_
#define S3ML_SERVING_MODEL_REPOSITORY_SCANNER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "serving/model_config.h"

namespace s3ml::serving {

inline constexpr std::string_view kModelFileName = "model.tflite.s3ml";
inline constexpr std::string_view kModelConfigFileName = "config.json";
inline constexpr size_t kMaxModelConfigBytes = 64 * 1024;

// When a file last changed, as far as the repository shows it.
struct FileStamp {
  uint64_t size = 0;
  int64_t modified_ns = 0;

  bool operator==(const FileStamp&) const = default;
};

struct ServableVersion {
  std::string model;
  int64_t version = 0;
  std::string model_path;   // absolute, symlinks resolved, inside the root
  std::string labels_path;  // "" when the config names no labels file
  ModelConfig config;
  FileStamp model_stamp, labels_stamp;

  bool operator==(const ServableVersion&) const = default;
};

struct ScanProblem {
  std::string path;    // relative to the root
  std::string reason;
};

struct RepositoryScan {
  std::vector<ServableVersion> servables;
  std::vector<ScanProblem> problems;
};

// Errors only when the root itself is not a readable directory (kNotFound / kInvalidArgument).
Result<RepositoryScan> ScanModelRepository(const std::string& root);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_MODEL_REPOSITORY_SCANNER_H_
