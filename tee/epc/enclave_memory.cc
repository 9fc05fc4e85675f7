#include "tee/epc/enclave_memory.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/checked_math.h"
#include "crypto/random.h"
#include "tee/epc/cycle_delay.h"
#include "tee/epc/page_fault_dispatcher.h"

namespace s3ml::tee::epc {
namespace {

constexpr size_t kMaxRegionBytes = size_t{64} << 30;

void StoreLe(uint8_t* out, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}

// Writes "<prefix><number><suffix>" to stderr and aborts; async-signal-safe (no stdio, no malloc).
[[noreturn]] void FatalPageError(const char* prefix, uint64_t number, const char* suffix) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + number % 10);
    number /= 10;
  } while (number > 0);
  char buf[256];
  size_t len = 0;
  auto append = [&](const char* s, size_t k) {
    k = k < sizeof(buf) - len ? k : sizeof(buf) - len;
    std::memcpy(buf + len, s, k);
    len += k;
  };
  append(prefix, std::strlen(prefix));
  while (n > 0) {
    char c = digits[--n];
    append(&c, 1);
  }
  append(suffix, std::strlen(suffix));
  ssize_t ignored = write(STDERR_FILENO, buf, len);
  (void)ignored;
  std::abort();
}

}  // namespace

Result<std::unique_ptr<EnclaveMemory>> EnclaveMemory::Create(std::shared_ptr<EpcHost> host, size_t bytes) {
  if (host == nullptr) return InvalidArgument("EPC region needs a host");
  if (bytes == 0) return InvalidArgument("EPC region size must be positive");
  size_t size = 0;
  if (bytes > kMaxRegionBytes || !CheckedAlignUp(bytes, kEpcPageSize, &size)) {
    return InvalidArgument("EPC region of " + std::to_string(bytes) + " bytes exceeds the 64 GiB limit");
  }
  S3ML_ASSIGN_OR_RETURN(PageCipher cipher, PageCipher::CreateWithRandomKey());
  std::unique_ptr<EnclaveMemory> m(new EnclaveMemory(std::move(host), std::move(cipher), size));

  m->memfd_ = memfd_create("s3ml-epc", MFD_CLOEXEC);
  if (m->memfd_ < 0) return Internal(std::string("memfd_create: ") + std::strerror(errno));
  if (ftruncate(m->memfd_, static_cast<off_t>(size)) != 0) {
    return ResourceExhausted(std::string("EPC region ftruncate: ") + std::strerror(errno));
  }
  void* view = mmap(nullptr, size, PROT_NONE, MAP_SHARED | MAP_NORESERVE, m->memfd_, 0);
  if (view == MAP_FAILED) return ResourceExhausted(std::string("EPC region mmap: ") + std::strerror(errno));
  m->view_ = static_cast<uint8_t*>(view);
  void* epc = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, m->memfd_, 0);
  if (epc == MAP_FAILED) return ResourceExhausted(std::string("EPC region mmap: ") + std::strerror(errno));
  m->epc_ = static_cast<uint8_t*>(epc);
  const size_t backing_size = m->page_count() * kBackingPageSize;
  void* backing = mmap(nullptr, backing_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (backing == MAP_FAILED) {
    return ResourceExhausted(std::string("EPC backing store mmap: ") + std::strerror(errno));
  }
  m->backing_ = static_cast<uint8_t*>(backing);
  m->pages_.resize(m->page_count());
  uint8_t id[8];
  S3ML_RETURN_IF_ERROR(crypto::FillRandom(id));
  for (int i = 7; i >= 0; --i) m->region_id_ = (m->region_id_ << 8) | id[i];

  S3ML_RETURN_IF_ERROR(m->host_->RegisterRegion(m.get()));
  m->registered_with_host_ = true;
  S3ML_RETURN_IF_ERROR(RegisterFaultRegion(m.get()));
  m->registered_with_dispatcher_ = true;
  return m;
}

EnclaveMemory::EnclaveMemory(std::shared_ptr<EpcHost> host, PageCipher cipher, size_t size)
    : host_(std::move(host)), cipher_(std::move(cipher)), size_(size) {}

EnclaveMemory::~EnclaveMemory() {
  if (registered_with_dispatcher_) UnregisterFaultRegion(this);
  {
    std::lock_guard<std::mutex> lock(host_->mutex());
    for (PageInfo& p : pages_) {
      if (p.state == PageState::kResident || p.state == PageState::kResidentCold) host_->ReleasePage();
      p.state = PageState::kUntouched;
    }
    stats_.resident_pages = 0;
  }
  if (registered_with_host_) host_->UnregisterRegion(this);
  if (backing_ != nullptr) munmap(backing_, page_count() * kBackingPageSize);
  if (epc_ != nullptr) munmap(epc_, size_);
  if (view_ != nullptr) munmap(view_, size_);
  if (memfd_ >= 0) close(memfd_);
}

RegionStats EnclaveMemory::stats() {
  std::lock_guard<std::mutex> lock(host_->mutex());
  return stats_;
}

void EnclaveMemory::Protect(size_t page, int prot) {
  if (mprotect(view_ + page * kEpcPageSize, kEpcPageSize, prot) != 0) {
    FatalPageError("s3ml epc: mprotect failed for page ", page, " (too many mappings? see vm.max_map_count)\n");
  }
}

void EnclaveMemory::MakeNonce(size_t page, uint64_t version, uint8_t nonce[PageCipher::kNonceSize]) const {
  StoreLe(nonce, page, 4);
  StoreLe(nonce + 4, version, 8);
}

void EnclaveMemory::MakeAad(size_t page, uint64_t version, uint8_t aad[24]) const {
  StoreLe(aad, region_id_, 8);
  StoreLe(aad + 8, page, 8);
  StoreLe(aad + 16, version, 8);
}

void EnclaveMemory::HandleFault(void* addr) {
  const size_t page = static_cast<size_t>(static_cast<uint8_t*>(addr) - view_) / kEpcPageSize;
  std::unique_lock<std::mutex> lock(host_->mutex());
  PageInfo& p = pages_[page];
  if (p.state == PageState::kResident) return;  // another thread loaded it meanwhile
  if (p.state == PageState::kResidentCold) {
    Protect(page, PROT_READ | PROT_WRITE);
    p.state = PageState::kResident;
    p.referenced = true;
    ++stats_.soft_faults;
    return;
  }
  host_->ReservePageLocked(lock);
  // The lock may have been released while waiting for room: re-check.
  if (p.state == PageState::kResident || p.state == PageState::kResidentCold) {
    host_->ReleasePage();
    if (p.state == PageState::kResidentCold) {
      Protect(page, PROT_READ | PROT_WRITE);
      p.state = PageState::kResident;
    }
    return;
  }
  LoadPageLocked(page);
}

void EnclaveMemory::LoadPageLocked(size_t page) {
  PageInfo& p = pages_[page];
  if (p.state == PageState::kUntouched) {
    // Never written: the memfd page is a hole and reads as zeros.
    ++stats_.first_touches;
  } else {
    uint8_t nonce[PageCipher::kNonceSize];
    uint8_t aad[24];
    MakeNonce(page, p.version, nonce);
    MakeAad(page, p.version, aad);
    // Copy out of untrusted memory first so that the host cannot change bytes between the tag check
    // and the decryption.
    std::memcpy(scratch_, backing_ + page * kBackingPageSize, kBackingPageSize);
    if (!cipher_.Open(nonce, aad, sizeof(aad), scratch_, kEpcPageSize, scratch_ + kEpcPageSize,
                      epc_ + page * kEpcPageSize)) {
      FatalPageError("s3ml epc: integrity fault: backing page ", page,
                     " failed AES-GCM authentication (tampered or replayed)\n");
    }
    BusyWaitCycles(host_->page_delay_cycles());
    host_->CountLoad();
    ++stats_.pages_loaded;
  }
  p.state = PageState::kResident;
  p.referenced = true;
  ++stats_.resident_pages;
  Protect(page, PROT_READ | PROT_WRITE);
}

void EnclaveMemory::EvictPageLocked(size_t page) {
  PageInfo& p = pages_[page];
  // No enclave thread may touch the page while it is written out.
  if (p.state == PageState::kResident) Protect(page, PROT_NONE);
  ++p.version;
  uint8_t nonce[PageCipher::kNonceSize];
  uint8_t aad[24];
  MakeNonce(page, p.version, nonce);
  MakeAad(page, p.version, aad);
  uint8_t* out = backing_ + page * kBackingPageSize;
  if (!cipher_.Seal(nonce, aad, sizeof(aad), epc_ + page * kEpcPageSize, kEpcPageSize, out, out + kEpcPageSize)) {
    FatalPageError("s3ml epc: AES-GCM seal failed for page ", page, "\n");
  }
  // Really free the page: punch a hole in the memfd (reads as zeros afterwards).
  if (fallocate(memfd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(page * kEpcPageSize),
                kEpcPageSize) != 0) {
    madvise(epc_ + page * kEpcPageSize, kEpcPageSize, MADV_REMOVE);
  }
  BusyWaitCycles(host_->page_delay_cycles());
  p.state = PageState::kEvicted;
  p.referenced = false;
  --stats_.resident_pages;
  ++stats_.pages_evicted;
}

bool EnclaveMemory::EvictOnePageLocked() {
  if (stats_.resident_pages == 0) return false;
  const size_t n = pages_.size();
  for (size_t step = 0; step <= 2 * n; ++step) {
    const size_t i = clock_hand_;
    clock_hand_ = (clock_hand_ + 1) % n;
    PageInfo& p = pages_[i];
    if (p.state == PageState::kResident && p.referenced) {
      // Second chance: forget the reference and watch for the next one.
      p.referenced = false;
      Protect(i, PROT_NONE);
      p.state = PageState::kResidentCold;
      continue;
    }
    if (p.state == PageState::kResident || p.state == PageState::kResidentCold) {
      EvictPageLocked(i);
      return true;
    }
  }
  return false;
}

}  // namespace s3ml::tee::epc
