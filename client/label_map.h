// Class labels: one label per line (line i names class i), as TFLite's label files.
//
// "\r\n" line ends are accepted; a final newline does not add an empty label; blank lines in the
// middle are kept (they still number a class). Files over kMaxLabelFileBytes are refused.
#ifndef S3ML_CLIENT_LABEL_MAP_H_
#define S3ML_CLIENT_LABEL_MAP_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace s3ml::client {

inline constexpr size_t kMaxLabelFileBytes = 16u << 20;

class LabelMap {
 public:
  LabelMap() = default;
  static LabelMap Parse(std::string_view text);
  // Errors: those of reading the file (kNotFound, kResourceExhausted above kMaxLabelFileBytes).
  static Result<LabelMap> Load(const std::string& path);

  size_t size() const { return labels_.size(); }
  // The label of class `index`, or "" when there is none.
  std::string_view Name(size_t index) const;

 private:
  std::vector<std::string> labels_;
};

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_LABEL_MAP_H_
