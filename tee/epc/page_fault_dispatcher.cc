#include "tee/epc/page_fault_dispatcher.h"

#include <signal.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>

#include "tee/epc/enclave_memory.h"

namespace s3ml::tee::epc {
namespace {

// Process-wide by nature: there is one SIGSEGV disposition per process.
std::atomic<EnclaveMemory*> g_regions[kMaxRegionsPerProcess];
struct sigaction g_previous;
std::mutex g_install_mutex;
bool g_installed = false;

void ChainToPrevious(int sig, siginfo_t* info, void* context) {
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction != nullptr) {
      g_previous.sa_sigaction(sig, info, context);
      return;
    }
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
    g_previous.sa_handler(sig);
    return;
  }
  // Default action: restore it and return; the faulting instruction re-executes and the kernel
  // delivers SIGSEGV with the default disposition (core dump), exactly as without us.
  signal(SIGSEGV, SIG_DFL);
}

void OnSegv(int sig, siginfo_t* info, void* context) {
  const int saved_errno = errno;
  void* addr = info->si_addr;
  for (std::atomic<EnclaveMemory*>& slot : g_regions) {
    EnclaveMemory* region = slot.load(std::memory_order_acquire);
    if (region != nullptr && region->Contains(addr)) {
      region->HandleFault(addr);
      errno = saved_errno;
      return;
    }
  }
  errno = saved_errno;
  ChainToPrevious(sig, info, context);
}

Status InstallOnce() {
  std::lock_guard<std::mutex> lock(g_install_mutex);
  if (g_installed) return Status::Ok();
  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  action.sa_sigaction = &OnSegv;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGSEGV, &action, &g_previous) != 0) {
    return Internal(std::string("sigaction(SIGSEGV): ") + std::strerror(errno));
  }
  g_installed = true;
  return Status::Ok();
}

}  // namespace

Status RegisterFaultRegion(EnclaveMemory* region) {
  S3ML_RETURN_IF_ERROR(InstallOnce());
  for (std::atomic<EnclaveMemory*>& slot : g_regions) {
    EnclaveMemory* expected = nullptr;
    if (slot.compare_exchange_strong(expected, region, std::memory_order_acq_rel)) return Status::Ok();
  }
  return ResourceExhausted("at most " + std::to_string(kMaxRegionsPerProcess) + " EPC regions per process");
}

void UnregisterFaultRegion(EnclaveMemory* region) {
  for (std::atomic<EnclaveMemory*>& slot : g_regions) {
    EnclaveMemory* expected = region;
    slot.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel);
  }
}

}  // namespace s3ml::tee::epc
