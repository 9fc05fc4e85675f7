// EpcAllocator: a thread-safe first-fit allocator over one EnclaveMemory region, so that the
// engine's arena, packed weights and request buffers live in simulated EPC pages.
//
// Same contract as the engine's Allocator (engine/allocator.h), without depending on it: Allocate
// returns memory aligned to `alignment` (a power of two; 0 means 16) or nullptr when the region has
// no large enough free range or the arguments are invalid; Free(nullptr) does nothing. Freeing a
// pointer this allocator did not return (or twice) is a programming error and aborts with a message.
// The bookkeeping lives outside the region, so allocating never touches (faults in) EPC pages.
#ifndef S3ML_TEE_EPC_EPC_ALLOCATOR_H_
#define S3ML_TEE_EPC_EPC_ALLOCATOR_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

#include "tee/epc/enclave_memory.h"

namespace s3ml::tee::epc {

class EpcAllocator {
 public:
  // REQUIRES: region outlives the allocator.
  explicit EpcAllocator(EnclaveMemory* region);

  void* Allocate(size_t size, size_t alignment);
  void Free(void* p);

  size_t bytes_in_use() const;
  size_t capacity() const { return capacity_; }

 private:
  uint8_t* base_;
  size_t capacity_;
  mutable std::mutex mutex_;
  std::map<size_t, size_t> free_;       // offset -> length, non-adjacent ranges
  std::map<size_t, size_t> allocated_;  // returned offset -> length of the range it took
  size_t in_use_ = 0;
};

}  // namespace s3ml::tee::epc

#endif  // S3ML_TEE_EPC_EPC_ALLOCATOR_H_
