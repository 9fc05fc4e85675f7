// The layout of one simulated host's EPC state in POSIX shared memory ("/s3ml-epc-<host>").
//
// Every simulated enclave (process) of the host maps the same segment. All fields that change
// after creation are lock-free std::atomic (process-shared by construction on Linux/x86-64), so a
// process killed at any instruction cannot wedge the host: there is no lock to leave held. The
// segment is created once (by the first enclave or by an explicit init) and never resized; its
// capacity is fixed at creation. Readers check magic and version before trusting anything else.
#ifndef S3ML_TEE_EPC_HOST_SEGMENT_H_
#define S3ML_TEE_EPC_HOST_SEGMENT_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace s3ml::tee::epc {

inline constexpr size_t kEpcPageSize = 4096;
// First-generation SGX: 128 MiB PRM of which 93.5 MiB is usable EPC.
inline constexpr uint64_t kDefaultCapacityPages = (93ull * 1024 * 1024 + 512 * 1024) / kEpcPageSize;
inline constexpr size_t kMaxEnclaveSlots = 64;
inline constexpr size_t kEnclaveNameSize = 32;
inline constexpr uint64_t kHostSegmentMagic = 0x3170656c6d6c3373ull;  // "s3mlepc1"
inline constexpr uint32_t kHostSegmentVersion = 2;

// One attached enclave. pid == 0 means the slot is free; a slot is claimed by CAS on pid.
struct EnclaveSlot {
  std::atomic<int32_t> pid;
  std::atomic<uint32_t> alive;
  char name[kEnclaveNameSize];  // NUL-terminated; written before alive is set
  std::atomic<uint64_t> resident_pages;
  std::atomic<uint64_t> pages_evicted;  // EWB by this enclave
  std::atomic<uint64_t> pages_loaded;   // ELDU by this enclave
  // Other enclaves ask this one to evict pages (when it holds more than its share); its own
  // background thread honours the requests. 32-bit so that it can be a futex word.
  std::atomic<uint32_t> evict_requests;
  uint32_t reserved;
};

struct HostSegment {
  uint64_t magic;
  uint32_t version;
  std::atomic<uint32_t> initialised;  // set (release) by the creator once every field is written
  uint64_t capacity_pages;
  std::atomic<uint64_t> resident_pages;
  std::atomic<uint64_t> resident_peak;        // high-water mark of resident_pages
  std::atomic<uint64_t> pages_evicted_total;  // "EWB"
  std::atomic<uint64_t> pages_loaded_total;   // "ELDU"
  // Places an enclave freed because a peer asked (see EpcHost): still counted in resident_pages and
  // handed to the enclaves waiting for them, so that busy enclaves cannot take them first.
  std::atomic<uint64_t> granted_pages;
  EnclaveSlot slots[kMaxEnclaveSlots];
};

static_assert(std::atomic<uint64_t>::is_always_lock_free, "shared-memory counters need lock-free atomics");
static_assert(std::atomic<int32_t>::is_always_lock_free, "shared-memory slots need lock-free atomics");

// "/s3ml-epc-<host>"; a host id is 1..64 characters of [A-Za-z0-9_.-] (it becomes a file name in
// /dev/shm, so no '/' and nothing that could climb out).
Result<std::string> HostSegmentName(std::string_view host_id);

// True when a process with this pid exists (kill(pid, 0); EPERM counts as alive).
bool ProcessIsAlive(int32_t pid);

}  // namespace s3ml::tee::epc

#endif  // S3ML_TEE_EPC_HOST_SEGMENT_H_
