#include "tee/epc/epc_host.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>

#include "tee/epc/enclave_memory.h"

namespace s3ml::tee::epc {
namespace {

constexpr size_t kSegmentBytes = sizeof(HostSegment);

int64_t MonotonicMicros() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

void SleepMicros(long us) {
  timespec ts{0, us * 1000};
  nanosleep(&ts, nullptr);
}

// The futex word is shared between processes: no FUTEX_PRIVATE_FLAG.
void FutexWake(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE, 1, nullptr, nullptr, 0);
}
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected, long timeout_ms) {
  timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000};
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT, expected, &ts, nullptr, 0);
}

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// Creates and initialises the segment; kAlreadyExists when another process created it first.
Status CreateSegment(const std::string& name, uint64_t capacity_pages) {
  if (capacity_pages == 0) return InvalidArgument("EPC capacity must be at least one page");
  const int fd = shm_open(name.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return AlreadyExists("EPC host segment " + name + " already exists");
    return Internal(Errno("shm_open " + name));
  }
  if (ftruncate(fd, kSegmentBytes) != 0) {
    Status s = Internal(Errno("ftruncate " + name));
    close(fd);
    shm_unlink(name.c_str());
    return s;
  }
  void* p = mmap(nullptr, kSegmentBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) {
    shm_unlink(name.c_str());
    return Internal(Errno("mmap " + name));
  }
  // ftruncate gave zeroed memory, which is a valid initial state for every atomic field.
  auto* seg = static_cast<HostSegment*>(p);
  seg->magic = kHostSegmentMagic;
  seg->version = kHostSegmentVersion;
  seg->capacity_pages = capacity_pages;
  seg->initialised.store(1, std::memory_order_release);
  munmap(p, kSegmentBytes);
  return Status::Ok();
}

Result<HostSegment*> MapSegment(const std::string& name) {
  const int fd = shm_open(name.c_str(), O_RDWR, 0);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("EPC host segment " + name + " does not exist");
    return Internal(Errno("shm_open " + name));
  }
  // The creator may still be between shm_open and ftruncate: wait a little for the size.
  struct stat st{};
  for (int i = 0; i < 200; ++i) {
    if (fstat(fd, &st) != 0) break;
    if (static_cast<size_t>(st.st_size) >= kSegmentBytes) break;
    SleepMicros(1000);
  }
  if (static_cast<size_t>(st.st_size) != kSegmentBytes) {
    close(fd);
    return DataLoss("EPC host segment " + name + " has size " + std::to_string(st.st_size) + ", expected " +
                    std::to_string(kSegmentBytes));
  }
  void* p = mmap(nullptr, kSegmentBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return Internal(Errno("mmap " + name));
  auto* seg = static_cast<HostSegment*>(p);
  for (int i = 0; i < 200 && seg->initialised.load(std::memory_order_acquire) == 0; ++i) SleepMicros(1000);
  if (seg->initialised.load(std::memory_order_acquire) == 0 || seg->magic != kHostSegmentMagic ||
      seg->version != kHostSegmentVersion) {
    munmap(p, kSegmentBytes);
    return DataLoss("EPC host segment " + name + " is not an s3ml EPC segment of version " +
                    std::to_string(kHostSegmentVersion));
  }
  return seg;
}

}  // namespace

Status EpcHost::Create(std::string_view host_id, uint64_t capacity_pages) {
  S3ML_ASSIGN_OR_RETURN(std::string name, HostSegmentName(host_id));
  return CreateSegment(name, capacity_pages);
}

Status EpcHost::Remove(std::string_view host_id) {
  S3ML_ASSIGN_OR_RETURN(std::string name, HostSegmentName(host_id));
  if (shm_unlink(name.c_str()) != 0) {
    if (errno == ENOENT) return NotFound("EPC host segment " + name + " does not exist");
    return Internal(Errno("shm_unlink " + name));
  }
  return Status::Ok();
}

Result<std::shared_ptr<EpcHost>> EpcHost::Attach(std::string_view host_id, const EpcHostOptions& options) {
  S3ML_ASSIGN_OR_RETURN(std::string name, HostSegmentName(host_id));
  Status created = CreateSegment(name, options.capacity_pages);
  if (!created.ok() && created.code() != StatusCode::kAlreadyExists) return created;
  S3ML_ASSIGN_OR_RETURN(HostSegment * seg, MapSegment(name));

  const int32_t pid = static_cast<int32_t>(getpid());
  EnclaveSlot* slot = nullptr;
  for (int pass = 0; pass < 2 && slot == nullptr; ++pass) {
    for (EnclaveSlot& s : seg->slots) {
      int32_t expected = 0;
      if (s.pid.compare_exchange_strong(expected, pid, std::memory_order_acq_rel)) {
        slot = &s;
        break;
      }
    }
    if (slot == nullptr) {
      // Full: free the slots of dead processes and try once more.
      EpcHost probe(seg, nullptr, 0);
      probe.ReclaimDeadSlots();
      probe.segment_ = nullptr;  // the probe must not unmap
    }
  }
  if (slot == nullptr) {
    munmap(seg, kSegmentBytes);
    return ResourceExhausted("EPC host " + std::string(host_id) + " already has " +
                             std::to_string(kMaxEnclaveSlots) + " live enclaves");
  }
  slot->resident_pages.store(0);
  slot->pages_evicted.store(0);
  slot->pages_loaded.store(0);
  slot->evict_requests.store(0);
  std::memset(slot->name, 0, kEnclaveNameSize);
  std::memcpy(slot->name, options.enclave_name.data(), std::min(options.enclave_name.size(), kEnclaveNameSize - 1));
  slot->alive.store(1, std::memory_order_release);

  std::shared_ptr<EpcHost> host(new EpcHost(seg, slot, options.page_delay_cycles));
  host->ReclaimDeadSlots();
  host->background_ = std::thread([h = host.get()] { h->BackgroundLoop(); });
  return host;
}

EpcHost::EpcHost(HostSegment* segment, EnclaveSlot* slot, uint64_t page_delay_cycles)
    : segment_(segment), slot_(slot), page_delay_cycles_(page_delay_cycles) {}

EpcHost::~EpcHost() {
  if (segment_ == nullptr || slot_ == nullptr) return;
  stopping_.store(true);
  slot_->evict_requests.fetch_add(1);
  FutexWake(&slot_->evict_requests);
  if (background_.joinable()) background_.join();
  // Regions returned their pages when they were destroyed; return anything left to be safe.
  const uint64_t left = slot_->resident_pages.exchange(0);
  segment_->resident_pages.fetch_sub(left);
  slot_->alive.store(0, std::memory_order_release);
  slot_->pid.store(0, std::memory_order_release);
  // Places granted to a requester that stopped waiting stay counted until another enclave under
  // its share takes them; the last enclave to leave returns them to the host.
  if (LiveEnclavesExact() == 0) segment_->resident_pages.fetch_sub(segment_->granted_pages.exchange(0));
  munmap(segment_, kSegmentBytes);
}

size_t EpcHost::ReclaimDeadSlots() {
  size_t reclaimed = 0;
  for (EnclaveSlot& s : segment_->slots) {
    int32_t pid = s.pid.load(std::memory_order_acquire);
    if (pid <= 0 || ProcessIsAlive(pid)) continue;
    // Claim the dead slot for cleanup (negative pid: neither free nor live) so that only one
    // reclaimer returns its pages.
    if (!s.pid.compare_exchange_strong(pid, -pid, std::memory_order_acq_rel)) continue;
    s.alive.store(0);
    const uint64_t resident = s.resident_pages.exchange(0);
    segment_->resident_pages.fetch_sub(resident);
    s.pages_evicted.store(0);
    s.pages_loaded.store(0);
    s.evict_requests.store(0);
    s.pid.store(0, std::memory_order_release);
    ++reclaimed;
  }
  return reclaimed;
}

Status EpcHost::RegisterRegion(EnclaveMemory* region) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (EnclaveMemory*& r : regions_) {
    if (r == nullptr) {
      r = region;
      return Status::Ok();
    }
  }
  return ResourceExhausted("an enclave may hold at most " + std::to_string(kMaxRegions) + " EPC regions");
}

void EpcHost::UnregisterRegion(EnclaveMemory* region) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (EnclaveMemory*& r : regions_) {
    if (r == region) r = nullptr;
  }
}

bool EpcHost::TryReserveHostPage() {
  uint64_t resident = segment_->resident_pages.load(std::memory_order_relaxed);
  while (resident < segment_->capacity_pages) {
    if (segment_->resident_pages.compare_exchange_weak(resident, resident + 1, std::memory_order_acq_rel)) {
      uint64_t peak = segment_->resident_peak.load(std::memory_order_relaxed);
      while (resident + 1 > peak && !segment_->resident_peak.compare_exchange_weak(peak, resident + 1)) {
      }
      return true;
    }
  }
  return false;
}

void EpcHost::ForceReserveHostPage() {
  const uint64_t now = segment_->resident_pages.fetch_add(1, std::memory_order_acq_rel) + 1;
  uint64_t peak = segment_->resident_peak.load(std::memory_order_relaxed);
  while (now > peak && !segment_->resident_peak.compare_exchange_weak(peak, now)) {
  }
}

void EpcHost::ReleasePage() {
  slot_->resident_pages.fetch_sub(1, std::memory_order_acq_rel);
  segment_->resident_pages.fetch_sub(1, std::memory_order_acq_rel);
}

void EpcHost::CountEviction() {
  slot_->pages_evicted.fetch_add(1, std::memory_order_relaxed);
  segment_->pages_evicted_total.fetch_add(1, std::memory_order_relaxed);
}

void EpcHost::CountLoad() {
  slot_->pages_loaded.fetch_add(1, std::memory_order_relaxed);
  segment_->pages_loaded_total.fetch_add(1, std::memory_order_relaxed);
}

uint64_t EpcHost::LiveEnclavesExact() const {
  uint64_t n = 0;
  for (const EnclaveSlot& s : segment_->slots) n += s.pid.load(std::memory_order_relaxed) > 0 ? 1 : 0;
  return n;
}

uint64_t EpcHost::LiveEnclaves() const { return std::max<uint64_t>(LiveEnclavesExact(), 1); }

EnclaveSlot* EpcHost::LargestPeerAbove(uint64_t share) {
  EnclaveSlot* best = nullptr;
  uint64_t best_resident = share;
  for (EnclaveSlot& s : segment_->slots) {
    if (&s == slot_ || s.pid.load(std::memory_order_relaxed) <= 0) continue;
    const uint64_t r = s.resident_pages.load(std::memory_order_relaxed);
    if (r > best_resident) {
      best = &s;
      best_resident = r;
    }
  }
  return best;
}

bool EpcHost::EvictOwnPageLocked(bool keep_reservation) {
  for (size_t tried = 0; tried < kMaxRegions; ++tried) {
    EnclaveMemory* region = regions_[clock_region_];
    if (region != nullptr && region->EvictOnePageLocked()) {
      CountEviction();
      if (!keep_reservation) ReleasePage();
      return true;
    }
    clock_region_ = (clock_region_ + 1) % kMaxRegions;
  }
  return false;
}

void EpcHost::ReservePageLocked(std::unique_lock<std::mutex>& lock) {
  const int64_t deadline = MonotonicMicros() + kPeerEvictionWaitMicros;
  bool reclaimed = false;
  bool asked = false;
  for (;;) {
    if (TryReserveHostPage()) {
      slot_->resident_pages.fetch_add(1, std::memory_order_acq_rel);
      return;
    }
    if (!reclaimed) {
      reclaimed = true;
      if (ReclaimDeadSlots() > 0) continue;
    }
    const uint64_t own = slot_->resident_pages.load(std::memory_order_relaxed);
    const uint64_t share = segment_->capacity_pages / LiveEnclaves();
    EnclaveSlot* peer = own < share && MonotonicMicros() < deadline ? LargestPeerAbove(share) : nullptr;
    if (peer == nullptr) {
      // At or above our share, nobody to ask, or the peer did not answer in time: evict our own page
      // and take its place; with no page of our own, overcommit by one page (see the header).
      if (own > 0 && EvictOwnPageLocked(/*keep_reservation=*/true)) return;
      ForceReserveHostPage();
      slot_->resident_pages.fetch_add(1, std::memory_order_acq_rel);
      return;
    }
    if (asked) {
      uint64_t granted = segment_->granted_pages.load(std::memory_order_acquire);
      while (granted > 0) {
        if (segment_->granted_pages.compare_exchange_weak(granted, granted - 1, std::memory_order_acq_rel)) {
          slot_->resident_pages.fetch_add(1, std::memory_order_acq_rel);
          return;
        }
      }
    } else {
      asked = true;
      peer->evict_requests.fetch_add(1, std::memory_order_acq_rel);
      FutexWake(&peer->evict_requests);
    }
    // Let our other threads and our own background thread run while the peer evicts.
    lock.unlock();
    SleepMicros(20);
    lock.lock();
  }
}

void EpcHost::BackgroundLoop() {
  int64_t next_reclaim = 0;
  while (!stopping_.load()) {
    const uint32_t requests = slot_->evict_requests.load(std::memory_order_acquire);
    if (requests == 0) {
      FutexWait(&slot_->evict_requests, 0, 100);
    } else {
      slot_->evict_requests.fetch_sub(requests, std::memory_order_acq_rel);
      std::lock_guard<std::mutex> lock(mutex_);
      for (uint32_t i = 0; i < requests && !stopping_.load(); ++i) {
        // Hand the place to the waiting requester rather than to whoever reserves first.
        if (!EvictOwnPageLocked(/*keep_reservation=*/true)) break;
        slot_->resident_pages.fetch_sub(1, std::memory_order_acq_rel);
        segment_->granted_pages.fetch_add(1, std::memory_order_acq_rel);
      }
    }
    const int64_t now = MonotonicMicros();
    if (now >= next_reclaim) {
      ReclaimDeadSlots();
      next_reclaim = now + 200000;
    }
  }
}

}  // namespace s3ml::tee::epc
