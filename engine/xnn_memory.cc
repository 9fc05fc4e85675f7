#include "engine/xnn_memory.h"

#include <xnnpack.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>

namespace s3ml::engine {
namespace {

thread_local Allocator* current_allocator = nullptr;

// Sits immediately before every block handed to XNNPACK.
struct BlockHeader {
  Allocator* owner;
  void* base;    // what owner->Allocate returned
  size_t size;   // usable bytes after the header (for reallocate)
};
constexpr size_t kMinAlignment = 64;
static_assert(sizeof(BlockHeader) <= kMinAlignment);

BlockHeader* HeaderOf(void* p) { return static_cast<BlockHeader*>(p) - 1; }

void* AllocateBlock(size_t alignment, size_t size) {
  Allocator* owner = current_allocator != nullptr ? current_allocator : &HeapAllocator();
  alignment = std::max(alignment, kMinAlignment);
  // The header takes one alignment unit in front of the user block.
  if (size > SIZE_MAX - alignment) return nullptr;
  void* base = owner->Allocate(size + alignment, alignment);
  if (base == nullptr) return nullptr;
  void* user = static_cast<uint8_t*>(base) + alignment;
  *HeaderOf(user) = BlockHeader{owner, base, size};
  return user;
}

void FreeBlock(void* p) {
  if (p == nullptr) return;
  BlockHeader h = *HeaderOf(p);
  h.owner->Free(h.base);
}

void* XnnAllocate(void*, size_t size) { return AllocateBlock(kMinAlignment, size); }
void* XnnAlignedAllocate(void*, size_t alignment, size_t size) { return AllocateBlock(alignment, size); }
void XnnDeallocate(void*, void* p) { FreeBlock(p); }
void* XnnReallocate(void*, void* p, size_t size) {
  if (p == nullptr) return AllocateBlock(kMinAlignment, size);
  void* fresh = AllocateBlock(kMinAlignment, size);
  if (fresh == nullptr) return nullptr;  // the old block stays valid, as XNNPACK expects
  std::memcpy(fresh, p, std::min(size, HeaderOf(p)->size));
  FreeBlock(p);
  return fresh;
}

const xnn_allocator kForwardingAllocator = {
    nullptr, XnnAllocate, XnnReallocate, XnnDeallocate, XnnAlignedAllocate, XnnDeallocate,
};

}  // namespace

Status EnsureXnnpackInitialized() {
  static const xnn_status status = xnn_initialize(&kForwardingAllocator);
  if (status != xnn_status_success) {
    return Internal("xnn_initialize failed with status " + std::to_string(static_cast<int>(status)) +
                    " (unsupported CPU?)");
  }
  return Status::Ok();
}

XnnAllocatorScope::XnnAllocatorScope(Allocator& allocator) : previous_(current_allocator) {
  current_allocator = &allocator;
}

XnnAllocatorScope::~XnnAllocatorScope() { current_allocator = previous_; }

}  // namespace s3ml::engine
