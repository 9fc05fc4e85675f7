// EpcEngineAllocator: the engine's Allocator (engine/allocator.h) over simulated enclave memory,
// so that a server's engine memory (model copy, activation arenas with the request's input and
// output tensors, packed weights and everything XNNPACK allocates through engine/xnn_memory.h)
// lives in EPC pages of one simulated host: it counts against that host's capacity, and pages
// (evicted / loaded back with real faults and AES-GCM) when the host is over capacity.
//
// One EnclaveMemory region of `region_bytes` (virtual: pages cost EPC only once touched) with a
// tee/epc EpcAllocator over it. Allocate returns nullptr when the region is full: the engine then
// fails the load with kResourceExhausted-like errors rather than silently using the heap.
// Thread-safe. Must outlive every model loaded with it (declare it before the ModelServer).
#ifndef S3ML_SERVING_EPC_ENGINE_ALLOCATOR_H_
#define S3ML_SERVING_EPC_ENGINE_ALLOCATOR_H_

#include <cstddef>
#include <memory>

#include "core/status.h"
#include "engine/allocator.h"
#include "tee/epc/enclave_memory.h"
#include "tee/epc/epc_allocator.h"
#include "tee/epc/epc_host.h"

namespace s3ml::serving {

// Default region: 1 GiB of address space, far above any test model's working set; only touched
// pages count against the host's capacity.
inline constexpr size_t kDefaultEpcRegionBytes = size_t{1} << 30;

class EpcEngineAllocator final : public engine::Allocator {
 public:
  static Result<std::unique_ptr<EpcEngineAllocator>> Create(std::shared_ptr<tee::epc::EpcHost> host,
                                                            size_t region_bytes = kDefaultEpcRegionBytes);
  ~EpcEngineAllocator() override = default;

  void* Allocate(size_t size, size_t alignment) override { return allocator_->Allocate(size, alignment); }
  void Free(void* ptr) override { allocator_->Free(ptr); }

  const tee::epc::EpcHost& host() const { return *host_; }
  tee::epc::RegionStats region_stats() { return region_->stats(); }
  size_t bytes_in_use() const { return allocator_->bytes_in_use(); }

 private:
  EpcEngineAllocator() = default;
  // Destroyed in reverse: allocator, then region, then (its last user gone) the host attachment.
  std::shared_ptr<tee::epc::EpcHost> host_;
  std::unique_ptr<tee::epc::EnclaveMemory> region_;
  std::unique_ptr<tee::epc::EpcAllocator> allocator_;
};

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_EPC_ENGINE_ALLOCATOR_H_
