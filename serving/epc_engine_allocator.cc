#include "serving/epc_engine_allocator.h"

namespace s3ml::serving {

Result<std::unique_ptr<EpcEngineAllocator>> EpcEngineAllocator::Create(std::shared_ptr<tee::epc::EpcHost> host,
                                                                       size_t region_bytes) {
  if (host == nullptr) return InvalidArgument("EPC engine allocator needs an attached EPC host");
  if (region_bytes == 0) return InvalidArgument("EPC engine region must not be empty");
  std::unique_ptr<EpcEngineAllocator> allocator(new EpcEngineAllocator());
  allocator->host_ = host;
  Result<std::unique_ptr<tee::epc::EnclaveMemory>> region = tee::epc::EnclaveMemory::Create(std::move(host), region_bytes);
  if (!region.ok()) return region.status().WithContext("EPC engine region");
  allocator->region_ = std::move(region).value();
  allocator->allocator_ = std::make_unique<tee::epc::EpcAllocator>(allocator->region_.get());
  return allocator;
}

}  // namespace s3ml::serving
