#include "serving/v2_header_cache.h"

#include <utility>

namespace s3ml::serving {

std::optional<V2InferRequest> V2HeaderCache::Find(std::string_view json_header,
                                                  std::span<const uint8_t> binary) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Entry& entry : entries_) {
    if (entry.binary_bytes != binary.size() || entry.json_header != json_header) continue;
    V2InferRequest request = entry.request;
    for (size_t i = 0; i < request.inputs.size(); ++i) {
      const BinarySlice& slice = entry.slices[i];
      const auto first = binary.begin() + static_cast<std::ptrdiff_t>(slice.offset);
      request.inputs[i].data.assign(first, first + static_cast<std::ptrdiff_t>(slice.size));
    }
    return request;
  }
  return std::nullopt;
}

void V2HeaderCache::Remember(std::string_view json_header, const V2InferRequest& request,
                             std::vector<BinarySlice> slices, size_t binary_bytes) {
  if (json_header.size() > kMaxHeaderBytes || slices.size() != request.inputs.size()) return;
  for (const BinarySlice& slice : slices) {
    if (slice.offset > binary_bytes || slice.size > binary_bytes - slice.offset) return;
  }
  Entry entry{std::string(json_header), request, std::move(slices), binary_bytes};
  for (TensorPayload& input : entry.request.inputs) {
    input.data.clear();
    input.data.shrink_to_fit();
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (const Entry& existing : entries_) {
    if (existing.binary_bytes == binary_bytes && existing.json_header == json_header) return;
  }
  if (entries_.size() < kMaxEntries) {
    entries_.push_back(std::move(entry));
  } else {
    entries_[next_] = std::move(entry);
    next_ = (next_ + 1) % kMaxEntries;
  }
}

size_t V2HeaderCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace s3ml::serving
