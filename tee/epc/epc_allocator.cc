#include "tee/epc/epc_allocator.h"

#include <cstdio>
#include <cstdlib>

#include "core/checked_math.h"

namespace s3ml::tee::epc {

EpcAllocator::EpcAllocator(EnclaveMemory* region) : base_(region->data()), capacity_(region->size()) {
  free_.emplace(0, capacity_);
}

void* EpcAllocator::Allocate(size_t size, size_t alignment) {
  if (alignment == 0) alignment = 16;
  if (size == 0 || (alignment & (alignment - 1)) != 0 || size > capacity_ || alignment > capacity_) return nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    const size_t start = it->first, length = it->second;
    // base_ is page aligned, so aligning offsets aligns addresses for alignments up to a page;
    // larger alignments are computed on the address.
    const uintptr_t address = reinterpret_cast<uintptr_t>(base_) + start;
    size_t aligned_address = 0;
    if (!CheckedAlignUp(address, alignment, &aligned_address)) continue;
    const size_t padding = aligned_address - address;
    size_t needed = 0;
    if (!CheckedAdd(padding, size, &needed) || needed > length) continue;
    const size_t offset = start + padding;
    free_.erase(it);
    if (padding > 0) free_.emplace(start, padding);
    if (length > needed) free_.emplace(offset + size, length - needed);
    allocated_.emplace(offset, size);
    in_use_ += size;
    return base_ + offset;
  }
  return nullptr;
}

void EpcAllocator::Free(void* p) {
  if (p == nullptr) return;
  std::lock_guard<std::mutex> lock(mutex_);
  const auto address = reinterpret_cast<uintptr_t>(p), base = reinterpret_cast<uintptr_t>(base_);
  auto it = address >= base ? allocated_.find(address - base) : allocated_.end();
  if (it == allocated_.end()) {
    std::fprintf(stderr, "s3ml epc: EpcAllocator::Free of %p, which this allocator did not allocate\n", p);
    std::abort();
  }
  size_t offset = it->first, length = it->second;
  allocated_.erase(it);
  in_use_ -= length;
  // Merge with the free neighbours.
  auto next = free_.lower_bound(offset);
  if (next != free_.end() && next->first == offset + length) {
    length += next->second;
    next = free_.erase(next);
  }
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == offset) {
      prev->second += length;
      return;
    }
  }
  free_.emplace(offset, length);
}

size_t EpcAllocator::bytes_in_use() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return in_use_;
}

}  // namespace s3ml::tee::epc
