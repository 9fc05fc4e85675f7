// `s3ml sim noise --host H --mib M [--seconds S]`: a noisy-neighbour enclave on simulated EPC host H.
// It allocates M MiB of enclave memory, keeps touching every page (so its working set stays resident
// and competes with the other enclaves of the host) and prints its own and the host's paging
// counters once a second. Stops on SIGINT/SIGTERM or after S seconds (0: run until signalled).
// --pages-per-s R paces the touching to at most R pages a second (0: as fast as it can): an unpaced
// noise burns a whole core, and on a small machine it would then interfere through the CPU rather
// than through the EPC.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "apps/s3ml/command.h"
#include "tee/epc/enclave_memory.h"

namespace {

using namespace s3ml;
using namespace s3ml::tee::epc;

volatile std::sig_atomic_t g_stop = 0;
void OnStopSignal(int) { g_stop = 1; }

struct NoiseOptions {
  std::string host;
  double mib = 0;  // fractions allowed (whole pages), so that small capacities can be shared finely
  uint64_t seconds = 0;
  uint64_t delay_cycles = EpcHostOptions().page_delay_cycles;
  double capacity_mib = 0;
  double pages_per_second = 0;  // 0: unpaced
};

void RunNoise(const NoiseOptions& o) {
  if (!(o.mib * 1024 * 1024 >= static_cast<double>(kEpcPageSize) && o.mib <= 64 * 1024))
    throw cli::CommandFailed(1, "--mib must be between one page (1/256) and 65536");
  const size_t bytes = static_cast<size_t>(o.mib * 1024 * 1024) / kEpcPageSize * kEpcPageSize;
  if (!(std::isfinite(o.pages_per_second) && o.pages_per_second >= 0))
    throw cli::CommandFailed(1, "--pages-per-s must be a finite rate >= 0 (0: unpaced)");
  EpcHostOptions options;
  options.enclave_name = "noise";
  options.page_delay_cycles = o.delay_cycles;
  if (o.capacity_mib > 0) {
    options.capacity_pages = static_cast<uint64_t>(o.capacity_mib * 1024 * 1024) / kEpcPageSize;
    if (options.capacity_pages == 0) throw cli::CommandFailed(1, "--capacity-mib is below one page");
  }
  std::shared_ptr<EpcHost> host = cli::ValueOrFail(EpcHost::Attach(o.host, options), "attach EPC host " + o.host);
  std::unique_ptr<EnclaveMemory> region =
      cli::ValueOrFail(EnclaveMemory::Create(host, bytes), "allocate enclave memory");

  struct sigaction action {};
  action.sa_handler = &OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  std::printf("noise enclave pid %d on host %s: %g MiB (%zu pages), host capacity %llu pages\n",
              static_cast<int>(getpid()), o.host.c_str(), o.mib,
              region->page_count(), static_cast<unsigned long long>(host->capacity_pages()));
  std::fflush(stdout);
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto next_report = start + std::chrono::seconds(1);
  volatile uint8_t* data = region->data();
  const size_t pages = region->page_count();
  // Paced: touch in batches of ~10 ms worth of pages and sleep until the schedule allows the next
  // batch (the i-th page since `origin` is due at origin + i / R). A noise slowed down by paging
  // does not make up more than 100 ms of lost touches in a burst: the schedule restarts instead.
  const bool paced = o.pages_per_second > 0;
  auto origin = start;
  uint64_t touched_at_origin = 0;
  const size_t batch = paced ? static_cast<size_t>(std::clamp(o.pages_per_second / 100, 1.0, 65536.0)) : pages;
  uint64_t sweeps = 0;
  uint64_t touched = 0;
  size_t cursor = 0;
  while (g_stop == 0) {
    for (size_t n = 0; n < batch && g_stop == 0; ++n) {
      data[cursor * kEpcPageSize] = static_cast<uint8_t>(data[cursor * kEpcPageSize] + 1);
      ++touched;
      if (++cursor == pages) {
        cursor = 0;
        ++sweeps;
      }
    }
    auto now = Clock::now();
    if (paced) {
      auto due = origin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                              static_cast<double>(touched - touched_at_origin) / o.pages_per_second));
      if (now - due > std::chrono::milliseconds(100)) {
        origin = now;
        touched_at_origin = touched;
        due = now;
      }
      // Wake at least at the next report or the end, whichever comes first.
      auto wake = std::min(due, next_report);
      if (o.seconds > 0) wake = std::min(wake, start + std::chrono::seconds(o.seconds));
      if (now < wake) {
        std::this_thread::sleep_until(wake);  // a stop signal is seen within a batch interval (<= 1 s)
        now = Clock::now();
      }
    }
    if (now >= next_report || g_stop != 0) {
      const RegionStats s = region->stats();
      const HostSegment& h = host->segment();
      std::printf("t=%llds sweeps=%llu touched=%llu resident=%llu evicted=%llu loaded=%llu | host resident=%llu/%llu "
                  "evicted_total=%llu loaded_total=%llu\n",
                  static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(now - start).count()),
                  static_cast<unsigned long long>(sweeps), static_cast<unsigned long long>(touched),
                  static_cast<unsigned long long>(s.resident_pages),
                  static_cast<unsigned long long>(s.pages_evicted), static_cast<unsigned long long>(s.pages_loaded),
                  static_cast<unsigned long long>(h.resident_pages.load()),
                  static_cast<unsigned long long>(h.capacity_pages),
                  static_cast<unsigned long long>(h.pages_evicted_total.load()),
                  static_cast<unsigned long long>(h.pages_loaded_total.load()));
      std::fflush(stdout);
      while (next_report <= now) next_report += std::chrono::seconds(1);
    }
    if (o.seconds > 0 && now - start >= std::chrono::seconds(o.seconds)) break;
  }
}

void AddNoise(CLI::App* sim) {
  auto opts = std::make_shared<NoiseOptions>();
  auto* noise = sim->add_subcommand("noise", "Run a noisy-neighbour enclave that keeps M MiB of simulated EPC busy");
  noise->add_option("--host", opts->host, "Simulated EPC host id ([A-Za-z0-9_.-], shared memory /s3ml-epc-<host>)")
      ->required();
  noise->add_option("--mib", opts->mib, "Enclave memory to allocate and keep touching, MiB (fractions allowed)")->required();
  noise->add_option("--seconds", opts->seconds, "Stop after this many seconds (default: until SIGINT/SIGTERM)");
  noise->add_option("--delay-cycles", opts->delay_cycles, "Modelled SGX cost per EWB/ELDU, cycles (default 40000)");
  noise->add_option("--capacity-mib", opts->capacity_mib,
                    "EPC capacity if this creates the host (default 93.5 MiB; an existing host keeps its own)");
  noise->add_option("--pages-per-s", opts->pages_per_second,
                    "Touch at most this many pages per second (default 0: as fast as possible)");
  noise->callback([opts] { RunNoise(*opts); });
}

void Setup(CLI::App& app) {
  // `sim` is created by sim_command.cc, whose setup may run after this one (registration order is
  // static-initialisation order): attach to it once every command is set up, just before parsing.
  CLI::App* root = &app;
  app.preparse_callback([root](std::size_t) {
    CLI::App* sim = nullptr;
    try {
      sim = root->get_subcommand("sim");
    } catch (const CLI::OptionNotFound&) {
      sim = root->add_subcommand("sim", "Simulated SGX platform of this host");
    }
    AddNoise(sim);
  });
}

const cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
