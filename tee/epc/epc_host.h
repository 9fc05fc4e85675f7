// EpcHost: this process's attachment to one simulated host's EPC (a simulated enclave).
//
// Attach() opens the host's shared-memory segment (creating it with the given capacity if it
// does not exist yet), reclaims slots of dead processes and claims a slot for this process. It
// runs one background thread that honours other enclaves' eviction requests and reclaims dead
// slots. Every EnclaveMemory region of this process on this host shares the attachment's lock:
// page faults, evictions and loads of one enclave are serialised, like the SGX driver's per-enclave
// lock. Destroy all regions before the attachment (they hold a shared_ptr to it).
//
// Capacity policy when the host is full and this enclave needs a page (ReservePageLocked):
//  - the enclave holds at least its fair share (capacity / live enclaves): it evicts one of its
//    own pages (clock / second chance over its regions) and reuses that page's place;
//  - it holds less: it asks the enclave holding the most pages above its share to evict (a per-slot
//    request counter plus a futex wake; that enclave's background thread evicts) and waits up to
//    kPeerEvictionWait for the place (the peer hands it over through the segment's granted_pages, so
//    busier enclaves cannot grab it first); if none appears it evicts one of its own pages;
//  - it holds no page at all and nobody frees one: it takes the page anyway (overcommit). So the
//    host's resident count may exceed capacity transiently by at most one page per attached enclave.
// A place granted to a requester that gave up waiting stays counted in resident_pages (and
// granted_pages) until the next enclave below its share claims it, or the last enclave detaches.
#ifndef S3ML_TEE_EPC_EPC_HOST_H_
#define S3ML_TEE_EPC_EPC_HOST_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "core/status.h"
#include "tee/epc/host_segment.h"

namespace s3ml::tee::epc {

class EnclaveMemory;

struct EpcHostOptions {
  // Used only when this call creates the segment; an existing host keeps its capacity.
  uint64_t capacity_pages = kDefaultCapacityPages;
  // Shown in the per-enclave rows (truncated to 31 bytes).
  std::string enclave_name = "enclave";
  // Busy-wait added to every EWB and ELDU to model SGX's cost. The literature measures EWB/ELDU at
  // tens of thousands of cycles per page; 40,000 TSC ticks is ~12 us at 3.3 GHz. Tests use 0.
  uint64_t page_delay_cycles = 40000;
};

class EpcHost {
 public:
  static constexpr size_t kMaxRegions = 64;
  static constexpr int kPeerEvictionWaitMicros = 10000;

  // Creates the host segment with the given capacity; kAlreadyExists if it exists.
  static Status Create(std::string_view host_id, uint64_t capacity_pages);
  // Removes the host's segment name (attached processes keep their mapping); kNotFound if absent.
  static Status Remove(std::string_view host_id);
  // Attaches this process as one enclave of the host, creating the host if needed.
  static Result<std::shared_ptr<EpcHost>> Attach(std::string_view host_id, const EpcHostOptions& options);

  ~EpcHost();
  EpcHost(const EpcHost&) = delete;
  EpcHost& operator=(const EpcHost&) = delete;

  uint64_t capacity_pages() const { return segment_->capacity_pages; }
  uint64_t page_delay_cycles() const { return page_delay_cycles_; }
  const HostSegment& segment() const { return *segment_; }
  const EnclaveSlot& slot() const { return *slot_; }
  // Frees the slots of processes that no longer exist and returns their resident pages to the
  // host. Returns how many slots were reclaimed. Async-signal-safe.
  size_t ReclaimDeadSlots();

  // ---- For EnclaveMemory (tee/epc internals). ----
  std::mutex& mutex() { return mutex_; }
  Status RegisterRegion(EnclaveMemory* region);
  void UnregisterRegion(EnclaveMemory* region);
  // REQUIRES lock held (it may be released and re-taken while waiting for a peer). On return one
  // resident page is reserved for this enclave. Async-signal-safe: no allocation.
  void ReservePageLocked(std::unique_lock<std::mutex>& lock);
  // Returns one reserved page to the host (an eviction, or a reservation not used).
  void ReleasePage();
  void CountEviction();
  void CountLoad();

 private:
  EpcHost(HostSegment* segment, EnclaveSlot* slot, uint64_t page_delay_cycles);
  bool TryReserveHostPage();
  void ForceReserveHostPage();
  // Evicts one page of this enclave, clock order across its regions. REQUIRES lock held.
  // keep_reservation: the freed place is reused by the caller at once (counts unchanged).
  bool EvictOwnPageLocked(bool keep_reservation);
  EnclaveSlot* LargestPeerAbove(uint64_t share);
  uint64_t LiveEnclaves() const;  // at least 1, for share computations
  uint64_t LiveEnclavesExact() const;
  void BackgroundLoop();

  HostSegment* segment_;
  EnclaveSlot* slot_;
  uint64_t page_delay_cycles_;
  std::mutex mutex_;
  std::array<EnclaveMemory*, kMaxRegions> regions_{};  // guarded by mutex_
  size_t clock_region_ = 0;                           // guarded by mutex_
  std::atomic<bool> stopping_{false};
  std::thread background_;
};

}  // namespace s3ml::tee::epc

#endif  // S3ML_TEE_EPC_EPC_HOST_H_
