// The difference between two repository scans, for loading and unloading without a restart.
// A version whose files (path, size, modification time), labels or config changed appears in both
// lists (unload, then load).
#ifndef S3ML_SERVING_REPOSITORY_DIFF_H_
#define S3ML_SERVING_REPOSITORY_DIFF_H_

#include <vector>

#include "serving/model_repository_scanner.h"

namespace s3ml::serving {

struct RepositoryDiff {
  std::vector<ServableVersion> added;    // in `after` only (or changed): to load
  std::vector<ServableVersion> removed;  // in `before` only (or changed): to unload

  bool empty() const { return added.empty() && removed.empty(); }
};

RepositoryDiff DiffRepositoryScans(const RepositoryScan& before, const RepositoryScan& after);

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_REPOSITORY_DIFF_H_
