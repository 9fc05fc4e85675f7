// Files: bounded reads and crash-safe writes.
#ifndef S3ML_CORE_FILE_H_
#define S3ML_CORE_FILE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace s3ml {

// Reads a whole file. Files larger than max_bytes are refused (kResourceExhausted) before reading,
// so untrusted paths cannot make us allocate without bound.
Result<std::vector<uint8_t>> ReadFileBytes(const std::string& path, size_t max_bytes = 1u << 30);
Result<std::string> ReadFileText(const std::string& path, size_t max_bytes = 64u << 20);

// Replaces path with data atomically: write to a temporary file in the same directory, fsync it,
// rename over path, fsync the directory. After a crash at any point, path holds either the old
// or the new contents, never a mix. mode is the new file's permission bits.
Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> data, unsigned mode = 0600);

}  // namespace s3ml

#endif  // S3ML_CORE_FILE_H_
