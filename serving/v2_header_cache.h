// V2HeaderCache: parses of binary-tensor infer requests, remembered by the exact bytes of their
// JSON header (the first Inference-Header-Content-Length bytes).
//
// A client sends the same JSON header with every request (same model, shapes and options); a
// hit skips the JSON parse and the validation, which right after an inference (cold caches) cost
// a small model about 20 us of latency. The same bytes parse the same way against the same model,
// so one cache belongs to one model version, and a hit returns exactly what the parse would:
// only requests whose inputs all carry binary_data_size are kept, and a hit needs the binary
// section to have exactly the bytes the header names (anything else takes the full parse and
// gets its error). Bounded: at most kMaxEntries headers of at most kMaxHeaderBytes each, the
// oldest replaced first. Thread-safe.
#ifndef S3ML_SERVING_V2_HEADER_CACHE_H_
#define S3ML_SERVING_V2_HEADER_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "serving/kserve_v2_request.h"

namespace s3ml::serving {

// Where one input's data lies in the binary section.
struct BinarySlice {
  size_t offset = 0;
  size_t size = 0;
};

class V2HeaderCache {
 public:
  static constexpr size_t kMaxEntries = 16;
  static constexpr size_t kMaxHeaderBytes = 8 * 1024;

  // The request for this header and binary section, if the header is remembered and `binary`
  // has exactly the bytes it names.
  std::optional<V2InferRequest> Find(std::string_view json_header, std::span<const uint8_t> binary) const;

  // Remembers a successful parse: `request`'s inputs (their data is not kept) and, for each of
  // them in the same order, its slice of a binary section of `binary_bytes` bytes.
  void Remember(std::string_view json_header, const V2InferRequest& request, std::vector<BinarySlice> slices,
                size_t binary_bytes);

  size_t size() const;

 private:
  struct Entry {
    std::string json_header;
    V2InferRequest request;  // inputs without data
    std::vector<BinarySlice> slices;
    size_t binary_bytes = 0;
  };

  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  size_t next_ = 0;  // the slot replaced next once full
};

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_V2_HEADER_CACHE_H_
