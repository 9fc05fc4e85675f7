#include "engine/allocator.h"

#include <cstdlib>

namespace s3ml::engine {
namespace {

class MallocAllocator final : public Allocator {
 public:
  void* Allocate(size_t size, size_t alignment) override {
    if (alignment < sizeof(void*)) alignment = sizeof(void*);
    void* p = nullptr;
    if (posix_memalign(&p, alignment, size == 0 ? 1 : size) != 0) return nullptr;
    return p;
  }
  void Free(void* ptr) override { std::free(ptr); }
};

}  // namespace

Allocator& HeapAllocator() {
  static MallocAllocator* heap = new MallocAllocator();  // never destroyed: used until exit
  return *heap;
}

}  // namespace s3ml::engine
