#include "tee/epc/host_snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tee/epc/host_segment.h"

namespace s3ml::tee::epc {

Result<HostSnapshot> ReadHostSnapshot(std::string_view host_id) {
  S3ML_ASSIGN_OR_RETURN(std::string name, HostSegmentName(host_id));
  const int fd = shm_open(name.c_str(), O_RDONLY, 0);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound("EPC host segment " + name + " does not exist");
    return Internal("shm_open " + name + ": " + std::strerror(errno));
  }
  struct stat st{};
  if (fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) != sizeof(HostSegment)) {
    close(fd);
    return DataLoss("EPC host segment " + name + " has size " + std::to_string(st.st_size) + ", expected " +
                    std::to_string(sizeof(HostSegment)));
  }
  void* p = mmap(nullptr, sizeof(HostSegment), PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return Internal("mmap " + name + ": " + std::strerror(errno));
  const auto* seg = static_cast<const HostSegment*>(p);
  if (seg->initialised.load(std::memory_order_acquire) == 0 || seg->magic != kHostSegmentMagic ||
      seg->version != kHostSegmentVersion) {
    munmap(p, sizeof(HostSegment));
    return DataLoss("EPC host segment " + name + " is not an initialised s3ml EPC segment of version " +
                    std::to_string(kHostSegmentVersion));
  }
  HostSnapshot snap;
  snap.capacity_pages = seg->capacity_pages;
  snap.resident_pages = seg->resident_pages.load();
  snap.resident_peak = seg->resident_peak.load();
  snap.pages_evicted_total = seg->pages_evicted_total.load();
  snap.pages_loaded_total = seg->pages_loaded_total.load();
  snap.granted_pages = seg->granted_pages.load();
  for (const EnclaveSlot& s : seg->slots) {
    const int32_t pid = s.pid.load(std::memory_order_acquire);
    if (pid <= 0) continue;
    EnclaveRow row;
    row.pid = pid;
    row.name.assign(s.name, strnlen(s.name, kEnclaveNameSize));
    row.alive = s.alive.load() != 0 && ProcessIsAlive(pid);
    row.resident_pages = s.resident_pages.load();
    row.pages_evicted = s.pages_evicted.load();
    row.pages_loaded = s.pages_loaded.load();
    snap.enclaves.push_back(std::move(row));
  }
  munmap(p, sizeof(HostSegment));
  return snap;
}

}  // namespace s3ml::tee::epc
