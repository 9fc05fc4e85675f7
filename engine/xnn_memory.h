// Routes XNNPACK's memory through engine::Allocator.
//
// XNNPACK takes one process-wide xnn_allocator at xnn_initialize. EnsureXnnpackInitialized()
// installs, once, a forwarding allocator that serves each request from the Allocator made
// current on the calling thread by an XnnAllocatorScope (the engine opens one around every
// XNNPACK call that may allocate or free: subgraph definition, runtime creation, setup, invoke and
// deletion). Each block carries a small header naming the Allocator that produced it, so a block
// is always returned to its own Allocator whichever scope frees it. Calls made outside any scope
// (another XNNPACK user in the process) are served by HeapAllocator().
#ifndef S3ML_ENGINE_XNN_MEMORY_H_
#define S3ML_ENGINE_XNN_MEMORY_H_

#include "core/status.h"
#include "engine/allocator.h"

namespace s3ml::engine {

// Initializes XNNPACK with the forwarding allocator (thread-safe, idempotent).
Status EnsureXnnpackInitialized();

class XnnAllocatorScope {
 public:
  explicit XnnAllocatorScope(Allocator& allocator);
  ~XnnAllocatorScope();
  XnnAllocatorScope(const XnnAllocatorScope&) = delete;
  XnnAllocatorScope& operator=(const XnnAllocatorScope&) = delete;

 private:
  Allocator* previous_;
};

}  // namespace s3ml::engine

#endif  // S3ML_ENGINE_XNN_MEMORY_H_
