// s3ml-epcd: per-host EPC paging exporter (DESIGN.md "Simulated EPC and EPC metrics").
//
//   s3ml-epcd --source sim --host H [--listen HOST:PORT] [--interval-ms N]
//   s3ml-epcd --source sgx [--host NAME] [--bpf-object PATH] [--kallsyms PATH] [--sysfs-node-dir DIR] ...
//
// Samples the host's EPC counters every interval and serves them in the Prometheus text format on
// GET /metrics (plaintext: the figures are host-level aggregates the untrusted host already knows).
// Logs "epcd listening on HOST:PORT" once serving; SIGINT/SIGTERM stop it.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "apps/s3ml-epcd/epc_exporter.h"
#include "net/host_port.h"
#include "apps/s3ml-epcd/sgx_epc_source.h"
#include "apps/s3ml-epcd/sim_epc_source.h"
#include "core/clock.h"
#include "core/log.h"
#include "net/http_server.h"

namespace {

using namespace s3ml;

struct Flags {
  std::string source;
  std::string host;
  std::string listen = "127.0.0.1:9101";
  int64_t interval_ms = 1000;
  std::string bpf_object;
  std::string kallsyms = "/proc/kallsyms";
  std::string sysfs_node_dir = epcd::kSysfsNodeDir;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "s3ml-epcd: %s\n", message.c_str());
  return 1;
}

// The BPF object is installed beside the executable.
std::string DefaultBpfObject() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (ec ? std::filesystem::path(".") : exe.parent_path()).append("s3ml-epcd-sgx.bpf.o").string();
}

std::string HostName() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

Result<std::unique_ptr<epcd::EpcSource>> MakeSource(const Flags& f) {
  if (f.source == "sim") {
    S3ML_ASSIGN_OR_RETURN(auto source, epcd::SimEpcSource::Create(f.host));
    return std::unique_ptr<epcd::EpcSource>(std::move(source));
  }
  epcd::SgxSourceOptions options;
  options.bpf_object_path = f.bpf_object.empty() ? DefaultBpfObject() : f.bpf_object;
  options.kallsyms_path = f.kallsyms;
  options.sysfs_node_dir = f.sysfs_node_dir;
  S3ML_ASSIGN_OR_RETURN(auto source, epcd::SgxEpcSource::Create(options));
  return std::unique_ptr<epcd::EpcSource>(std::move(source));
}

int Run(Flags f) {
  if (f.interval_ms < 10 || f.interval_ms > 3'600'000) return Fail("--interval-ms must be 10..3600000");
  if (f.source == "sim" && f.host.empty()) return Fail("--source sim needs --host (the simulated EPC host id)");
  if (f.host.empty()) f.host = HostName();
  Result<net::HostPort> listen = net::ParseHostPort(f.listen);
  if (!listen.ok()) return Fail(listen.status().message());
  Result<std::unique_ptr<epcd::EpcSource>> source = MakeSource(f);
  if (!source.ok()) return Fail("EPC source " + f.source + ": " + source.status().ToString());

  // Signals are taken synchronously by the sampling loop below; block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  epcd::EpcExporter exporter(f.host, std::move(source).value());
  Status first = exporter.Sample(MonotonicNanos());
  if (!first.ok()) Log(LogLevel::kWarning, "epcd", "EPC source not readable yet: " + first.ToString());
  Result<net::Router> router = epcd::MakeExporterRouter(&exporter);
  if (!router.ok()) return Fail(router.status().ToString());
  net::HttpServerOptions options;
  options.address = listen->host;
  options.port = listen->port;
  options.io_threads = 1;
  net::HttpServer server(options, std::move(router).value());
  if (Status s = server.Start(); !s.ok()) return Fail("listen on " + f.listen + ": " + s.ToString());
  Log(LogLevel::kInfo, "epcd", "epcd listening on " + listen->host + ":" + std::to_string(server.port()));

  bool was_up = first.ok();
  using SteadyClock = std::chrono::steady_clock;
  const auto interval = std::chrono::milliseconds(f.interval_ms);
  auto next = SteadyClock::now() + interval;
  for (;;) {
    const auto left = std::max<SteadyClock::duration>(next - SteadyClock::now(), SteadyClock::duration::zero());
    const auto left_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec wait{static_cast<time_t>(left_ns / 1'000'000'000), static_cast<long>(left_ns % 1'000'000'000)};
    const int sig = sigtimedwait(&stop_signals, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) break;
    const auto now = SteadyClock::now();
    if (now < next) continue;  // woken early (EINTR)
    next += interval;
    if (next <= now) next = now + interval;  // after a stall, no burst of short intervals
    const Status s = exporter.Sample(MonotonicNanos());
    if (s.ok() != was_up) {
      Log(s.ok() ? LogLevel::kInfo : LogLevel::kWarning, "epcd",
          s.ok() ? std::string("EPC source readable") : "EPC source not readable: " + s.ToString());
      was_up = s.ok();
    }
  }
  Log(LogLevel::kInfo, "epcd", "stopping");
  server.Shutdown(std::chrono::milliseconds(1000));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"s3ml-epcd: per-host EPC paging exporter (Prometheus text format on GET /metrics)"};
  Flags f;
  app.add_option("--source", f.source, "sim (simulated EPC host) or sgx (in-kernel SGX driver via kprobes)")
      ->required()
      ->check(CLI::IsMember({"sim", "sgx"}));
  app.add_option("--host", f.host, "Host label; for --source sim the simulated EPC host id (required)");
  app.add_option("--listen", f.listen, "HOST:PORT to serve /metrics on (port 0: any free port)")->capture_default_str();
  app.add_option("--interval-ms", f.interval_ms, "Sampling interval: the paging rate is measured over it")->capture_default_str();
  app.add_option("--bpf-object", f.bpf_object, "Compiled kprobe programs (default: s3ml-epcd-sgx.bpf.o beside the binary)");
  app.add_option("--kallsyms", f.kallsyms, "Kernel symbol table to check for the SGX driver")->capture_default_str();
  app.add_option("--sysfs-node-dir", f.sysfs_node_dir, "NUMA node directory with x86/sgx_total_bytes")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return Run(std::move(f));
}
