// EnclaveMemory: a region of simulated enclave memory paged in and out of the host's EPC with real
// page faults and real per-page encryption.
//
// The region is a memfd (anonymous memory) mapped twice: the enclave view (data()) whose pages
// are PROT_NONE unless resident, and a private "EPC" view only the simulator touches, always
// read-write, used to encrypt and decrypt pages without racing the enclave's threads. An access to
// a non-resident page raises SIGSEGV; the handler (HandleFault) makes room in the host's EPC (see
// EpcHost for the policy), then:
//   - first touch: the page is a zero page (no decryption, not counted as ELDU);
//   - otherwise ("ELDU"): AES-256-GCM-opens the page from the backing store into the EPC view with
//     nonce = page index || version and AAD = region id || page index || version, where version is
//     kept inside the enclave. A tampered or replayed backing page fails and the process aborts with
//     "s3ml epc: integrity fault" (an integrity fault in a real enclave is fatal too).
// Eviction ("EWB", clock / second chance over resident pages): the page is made PROT_NONE, its
// version is bumped, it is sealed into the backing store and its memory is really freed (hole
// punched in the memfd). Resident pages are periodically made PROT_NONE again to learn whether they
// are still used (a "soft" fault re-enables them without any decryption): that is the clock's
// reference bit.
//
// Signal-handler safety: the handler takes the host lock (std::mutex; never held by code that
// touches the enclave view, so a faulting thread cannot hold it), then only runs mprotect, fallocate,
// clock_gettime, nanosleep, futex, kill/open/read of /proc (dead-slot checks) and the preallocated
// OpenSSL contexts of PageCipher over preallocated memory. No allocation. Do not pass non-resident EPC memory to system calls
// (read(2) into it fails with EFAULT instead of faulting): touch it first.
#ifndef S3ML_TEE_EPC_ENCLAVE_MEMORY_H_
#define S3ML_TEE_EPC_ENCLAVE_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/status.h"
#include "tee/epc/epc_host.h"
#include "tee/epc/page_cipher.h"

namespace s3ml::tee::epc {

struct RegionStats {
  uint64_t resident_pages = 0;
  uint64_t pages_evicted = 0;  // EWB
  uint64_t pages_loaded = 0;   // ELDU (decrypt + verify)
  uint64_t first_touches = 0;  // zero pages made resident
  uint64_t soft_faults = 0;    // clock reference-bit faults, no data movement
};

class EnclaveMemory {
 public:
  // Each backing-store page: ciphertext followed by the GCM tag.
  static constexpr size_t kBackingPageSize = kEpcPageSize + PageCipher::kTagSize;

  // A region of `bytes` (rounded up to whole pages, at most 64 GiB) on the host.
  static Result<std::unique_ptr<EnclaveMemory>> Create(std::shared_ptr<EpcHost> host, size_t bytes);
  ~EnclaveMemory();
  EnclaveMemory(const EnclaveMemory&) = delete;
  EnclaveMemory& operator=(const EnclaveMemory&) = delete;

  uint8_t* data() const { return view_; }
  size_t size() const { return size_; }
  size_t page_count() const { return size_ / kEpcPageSize; }
  bool Contains(const void* p) const {
    auto a = reinterpret_cast<uintptr_t>(p), b = reinterpret_cast<uintptr_t>(view_);
    return a >= b && a - b < size_;
  }
  RegionStats stats();

  // The untrusted backing store (what the OS would hold for evicted pages): page i is at
  // i * kBackingPageSize. Exposed so that tests can play the hostile host that alters or replays it.
  std::span<uint8_t> untrusted_backing_store() { return {backing_, page_count() * kBackingPageSize}; }

  // ---- Internals for the fault dispatcher and EpcHost. ----
  // Runs in the SIGSEGV handler for an address inside this region.
  void HandleFault(void* addr);
  // Evicts one resident page (clock order). REQUIRES host lock held. False if none is resident.
  bool EvictOnePageLocked();

 private:
  enum class PageState : uint8_t { kUntouched, kResident, kResidentCold, kEvicted };
  struct PageInfo {
    uint64_t version = 0;
    PageState state = PageState::kUntouched;
    bool referenced = false;
  };

  EnclaveMemory(std::shared_ptr<EpcHost> host, PageCipher cipher, size_t size);
  void Protect(size_t page, int prot);
  void LoadPageLocked(size_t page);
  void EvictPageLocked(size_t page);
  void MakeNonce(size_t page, uint64_t version, uint8_t nonce[PageCipher::kNonceSize]) const;
  void MakeAad(size_t page, uint64_t version, uint8_t aad[24]) const;

  std::shared_ptr<EpcHost> host_;
  PageCipher cipher_;  // guarded by host lock
  size_t size_;
  int memfd_ = -1;
  uint8_t* view_ = nullptr;     // enclave view, per-page protections
  uint8_t* epc_ = nullptr;      // simulator view, always read-write
  uint8_t* backing_ = nullptr;  // untrusted backing store
  uint64_t region_id_ = 0;
  std::vector<PageInfo> pages_;  // guarded by host lock; sized once at creation
  uint8_t scratch_[kBackingPageSize];  // guarded by host lock
  size_t clock_hand_ = 0;        // guarded by host lock
  RegionStats stats_;            // guarded by host lock
  bool registered_with_host_ = false;
  bool registered_with_dispatcher_ = false;
};

}  // namespace s3ml::tee::epc

#endif  // S3ML_TEE_EPC_ENCLAVE_MEMORY_H_
