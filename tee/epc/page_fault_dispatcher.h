// The process-wide SIGSEGV handler that turns accesses to non-resident EPC pages into page loads.
//
// Installed once (sigaction, SA_SIGINFO | SA_ONSTACK) when the first region registers. In the
// handler: a lock-free scan of a fixed table of registered regions; a fault inside one calls
// EnclaveMemory::HandleFault (see there for what runs in the handler); any other fault is passed
// to the handler that was installed before ours (or the default action, which then kills the
// process as it would have without us). A region must be unregistered before it is unmapped.
#ifndef S3ML_TEE_EPC_PAGE_FAULT_DISPATCHER_H_
#define S3ML_TEE_EPC_PAGE_FAULT_DISPATCHER_H_

#include "core/status.h"

namespace s3ml::tee::epc {

class EnclaveMemory;

inline constexpr size_t kMaxRegionsPerProcess = 256;

// kResourceExhausted when kMaxRegionsPerProcess regions are registered; kInternal if sigaction fails.
Status RegisterFaultRegion(EnclaveMemory* region);
void UnregisterFaultRegion(EnclaveMemory* region);

}  // namespace s3ml::tee::epc

#endif  // S3ML_TEE_EPC_PAGE_FAULT_DISPATCHER_H_
