// Allocator: every byte the engine allocates (arena, packed weights, model copy, XNNPACK's own
// allocations) goes through one of these, so that an enclave can place engine memory in its
// (simulated) EPC. Implementations must be thread-safe.
#ifndef S3ML_ENGINE_ALLOCATOR_H_
#define S3ML_ENGINE_ALLOCATOR_H_

#include <cstddef>

namespace s3ml::engine {

class Allocator {
 public:
  virtual ~Allocator() = default;
  // Returns size bytes aligned to `alignment` (a power of two), or nullptr when out of memory.
  virtual void* Allocate(size_t size, size_t alignment) = 0;
  // Releases memory returned by Allocate (nullptr is a no-op).
  virtual void Free(void* ptr) = 0;
};

// Process heap (aligned malloc). Never destroyed.
Allocator& HeapAllocator();

}  // namespace s3ml::engine

#endif  // S3ML_ENGINE_ALLOCATOR_H_
