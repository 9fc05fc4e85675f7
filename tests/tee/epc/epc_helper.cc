// Helper process for the multi-process EPC tests: one simulated enclave per process.
//   epc_helper stress <host> <pages> <millis> <seed> <peers>: waits until <peers> enclaves are
//       attached, then for <millis> ms random writes and checks over its own region of <pages> pages; exits 0 when
//       every read matched, 2 on a mismatch, 1 on a setup error.
//   epc_helper die <host> <pages>: makes <pages> pages resident, then SIGKILLs itself.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "tee/epc/enclave_memory.h"

using namespace s3ml::tee::epc;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: epc_helper stress|die <host> <pages> [rounds seed]\n");
    return 1;
  }
  const std::string mode = argv[1];
  EpcHostOptions options;
  options.enclave_name = "helper-" + mode;
  options.page_delay_cycles = 0;
  auto host = EpcHost::Attach(argv[2], options);
  if (!host.ok()) {
    std::fprintf(stderr, "attach: %s\n", host.status().ToString().c_str());
    return 1;
  }
  const size_t pages = std::strtoul(argv[3], nullptr, 10);
  auto region = EnclaveMemory::Create(*host, pages * kEpcPageSize);
  if (!region.ok()) {
    std::fprintf(stderr, "region: %s\n", region.status().ToString().c_str());
    return 1;
  }
  uint8_t* data = (*region)->data();
  if (mode == "die") {
    for (size_t p = 0; p < pages; ++p) data[p * kEpcPageSize] = 1;
    raise(SIGKILL);
  }
  if (mode != "stress" || argc < 7) return 1;
  // Start together so that the working sets really compete for the host's capacity.
  const size_t peers = std::strtoul(argv[6], nullptr, 10);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    size_t attached = 0;
    for (const EnclaveSlot& s : (*host)->segment().slots) attached += s.pid.load() > 0 ? 1 : 0;
    if (attached >= peers) break;
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "only %zu of %zu peers attached\n", attached, peers);
      return 1;
    }
    usleep(1000);
  }
  const long millis = std::strtol(argv[4], nullptr, 10);
  std::mt19937_64 rng(std::strtoull(argv[5], nullptr, 10));
  // One 64-bit word per 512-byte cell; the reference lives in ordinary memory.
  const size_t cells = pages * kEpcPageSize / 512;
  std::vector<uint64_t> reference(cells, 0);
  const auto stop = std::chrono::steady_clock::now() + std::chrono::milliseconds(millis);
  for (long i = 0; (i & 1023) != 0 || std::chrono::steady_clock::now() < stop; ++i) {
    const size_t c = rng() % cells;
    uint64_t got;
    std::memcpy(&got, data + c * 512, 8);
    if (got != reference[c]) {
      std::fprintf(stderr, "cell %zu: read %llx, expected %llx\n", c, static_cast<unsigned long long>(got),
                   static_cast<unsigned long long>(reference[c]));
      return 2;
    }
    reference[c] = rng();
    std::memcpy(data + c * 512, &reference[c], 8);
  }
  for (size_t c = 0; c < cells; ++c) {
    uint64_t got;
    std::memcpy(&got, data + c * 512, 8);
    if (got != reference[c]) return 2;
  }
  const RegionStats st = (*region)->stats();
  std::printf("pid %d: evicted %llu loaded %llu first %llu soft %llu\n", static_cast<int>(getpid()),
              static_cast<unsigned long long>(st.pages_evicted), static_cast<unsigned long long>(st.pages_loaded),
              static_cast<unsigned long long>(st.first_touches), static_cast<unsigned long long>(st.soft_faults));
  return 0;
}
