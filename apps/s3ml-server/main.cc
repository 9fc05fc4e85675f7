// s3ml-server: boots inside a TEE (platform -> provision from the ECS -> load models -> listen),
// serves until SIGTERM/SIGINT, then drains (agent says "drain", stop accepting, finish in-flight)
// and exits 0.
//
// EPC (simulated platform): with --epc-host H the engine's memory (model copy, arenas with the
// request tensors, packed weights, XNNPACK's allocations) lives in simulated EPC pages of host H
// (serving/epc_engine_allocator.h), the metrics port exports s3ml_epc_* figures sampled once a
// second, and --agent-policy epc makes the agent answer from H's paging rate
// (cluster/weight_policy.h; apps/s3ml-server/epc_pressure_monitor.h). Drain on shutdown wins.
// (apps/s3ml-server/server_epc.h documents the defaults and why).
// Exit codes: 1 failure, 2 bad flags, 3 the ECS refused provisioning ("s3ml-server: provisioning
// refused: <reason>" on stderr), 4 the ECS's certificate is not the expected enclave.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <thread>
#include <tuple>

#include "core/clock.h"
#include "core/file.h"
#include "core/log.h"
#include "net/host_port.h"
#include "apps/s3ml-server/server_epc.h"
#include "serving/ecs_trust.h"
#include "serving/model_server.h"
#include "tee/platform_factory.h"

namespace {

using namespace s3ml;

struct Flags {
  std::string ecs, ecs_mrenclave, ecs_mrsigner, collateral, pccs, pccs_ca, collateral_cache, sim_root;
  uint16_t ecs_isvprodid = 0, ecs_min_isvsvn = 0;
  bool allow_sim = false;
  std::string platform, repository;
  std::string listen = "127.0.0.1:8443", metrics = "127.0.0.1:9090", agent = "127.0.0.1:9999";
  double poll_seconds = 5;
  // One single-threaded inference per core, so workers x engine threads never exceeds the cores:
  // XNNPACK's pool threads spin while they wait, and an oversubscribed host loses its time to
  // spinning (README, "Serving performance", has the measurement).
  size_t workers = std::max(1u, std::thread::hardware_concurrency());
  int engine_threads = 1;
  size_t max_queue = 64;
  int io_threads = 2;
  uint64_t max_body_bytes = 16u << 20;
  int drain_grace_ms = 10000;
  int drain_delay_ms = 0;
  int provision_wait_seconds = 30;
  server::ServerEpcFlags epc;
};

[[noreturn]] void Fail(int code, const std::string& message) {
  std::fprintf(stderr, "s3ml-server: %s\n", message.c_str());
  std::exit(code);
}

template <typename T>
T OrFail(Result<T> result, const std::string& context) {
  if (!result.ok()) Fail(1, context + ": " + result.status().ToString());
  return std::move(result).value();
}

std::string ReadPem(const std::string& path, const char* flag) {
  if (path.empty()) return "";
  return OrFail(ReadFileText(path, 1 << 20), flag);
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  CLI::App app("s3ml-server: the s3ml model server (KServe v2 + TF-Serving v1 over TLS inside an enclave)",
               "s3ml-server");
  app.add_option("--ecs", f.ecs, "ECS URL, https://HOST:PORT")->required();
  app.add_option("--ecs-mrenclave", f.ecs_mrenclave, "Expected ECS MRENCLAVE (hex)");
  app.add_option("--ecs-mrsigner", f.ecs_mrsigner, "Expected ECS MRSIGNER (hex)");
  app.add_option("--ecs-isvprodid", f.ecs_isvprodid, "Expected ECS ISVPRODID with --ecs-mrsigner (default 0)");
  app.add_option("--ecs-min-isvsvn", f.ecs_min_isvsvn, "Minimum ECS ISVSVN with --ecs-mrsigner (default 0)");
  app.add_option("--collateral", f.collateral, "Collateral directory (layout of testdata/sgx)");
  app.add_option("--pccs", f.pccs, "PCCS base URL for collateral");
  app.add_option("--pccs-ca", f.pccs_ca, "PCCS TLS CA (PEM)");
  app.add_option("--collateral-cache", f.collateral_cache, "Collateral cache directory for --pccs");
  app.add_flag("--allow-sim", f.allow_sim, "Accept a simulated ECS (development only)");
  app.add_option("--sim-root", f.sim_root, "Simulated platform root CA (PEM), with --allow-sim");
  app.add_option("--platform", f.platform, "TEE backend: sim | gramine")->required();
  app.add_option("--repository", f.repository, "Model repository directory")->required();
  app.add_option("--listen", f.listen, "Inference HOST:PORT (TLS)");
  app.add_option("--metrics", f.metrics, "Metrics HOST:PORT (plaintext)");
  app.add_option("--agent", f.agent, "HAProxy agent-check HOST:PORT");
  app.add_option("--poll-seconds", f.poll_seconds, "Repository poll interval");
  app.add_option("--workers", f.workers, "Inference worker threads per model version");
  app.add_option("--engine-threads", f.engine_threads, "Threads of one inference (default 1; keep workers x threads <= cores)");
  app.add_option("--max-queue", f.max_queue, "Waiting requests per model version without batching config");
  app.add_option("--io-threads", f.io_threads,
                 "HTTPS IO threads, one event loop each; all but one also run an inference themselves "
                 "when a worker is free");
  app.add_option("--max-body-bytes", f.max_body_bytes, "Request body limit (413 above)");
  app.add_option("--drain-grace-ms", f.drain_grace_ms, "How long in-flight requests may finish after SIGTERM");
  app.add_option("--drain-delay-ms", f.drain_delay_ms, "How long to answer \"drain\" before closing the port");
  app.add_option("--provision-wait-seconds", f.provision_wait_seconds,
                 "How long to retry while the ECS is unreachable or has no manifest yet");
  app.add_option("--epc-host", f.epc.host, "Put engine memory on this simulated EPC host (sim platform)");
  app.add_option("--epc-capacity-mib", f.epc.capacity_mib, "EPC capacity if this server creates the host (default 93.5)");
  app.add_option("--epc-region-mib", f.epc.region_mib, "Enclave memory region for the engine (virtual; default 1024)");
  app.add_option("--epc-page-delay-cycles", f.epc.page_delay_cycles, "Modelled SGX cost per EWB/ELDU (TSC cycles)");
  app.add_option("--epc-sample-ms", f.epc.sample_ms, "EPC sampling interval for metrics and the agent (default 1000)");
  app.add_option("--agent-policy", f.epc.agent_policy, "HAProxy agent answer: static (up 100%) | epc (host paging rate)")
      ->check(CLI::IsMember({"static", "epc"}));
  app.add_option("--epc-low-pages-per-s", f.epc.low_pages_per_s, "Full weight at or below this host paging rate (default 100)");
  app.add_option("--epc-critical-pages-per-s", f.epc.critical_pages_per_s, "Drain at or above this host paging rate (default 1000)");
  app.add_option("--epc-min-weight", f.epc.min_weight_percent, "Lowest weight percent before draining (default 10)");
  app.add_option("--epc-hysteresis", f.epc.hysteresis, "Stay drained until the rate is below critical x (1 - this) (default 0.2)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  // Signals are taken by sigwait below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const Clock& clock = SystemClock::Get();
  serving::EcsTrustOptions trust;
  trust.mrenclave_hex = f.ecs_mrenclave;
  trust.mrsigner_hex = f.ecs_mrsigner;
  trust.isv_prod_id = f.ecs_isvprodid;
  trust.min_isv_svn = f.ecs_min_isvsvn;
  trust.allow_simulated = f.allow_sim;
  trust.sim_root_pem = ReadPem(f.sim_root, "--sim-root");
  trust.collateral_dir = f.collateral;
  trust.pccs_url = f.pccs;
  trust.pccs_ca_pem = ReadPem(f.pccs_ca, "--pccs-ca");
  trust.collateral_cache_dir = f.collateral_cache;  // empty: attest::DefaultCollateralCacheDirectory()
  trust.clock = &clock;
  Result<attest::RaTlsVerifierOptions> verifier = serving::MakeEcsVerifierOptions(trust);
  if (!verifier.ok()) Fail(2, verifier.status().message());

  serving::ModelServerOptions options;
  for (auto [flag, text, endpoint] : {std::tuple{"--listen", &f.listen, &options.listen},
                                      std::tuple{"--metrics", &f.metrics, &options.metrics},
                                      std::tuple{"--agent", &f.agent, &options.agent}}) {
    Result<net::HostPort> parsed = net::ParseHostPort(*text);
    if (!parsed.ok()) Fail(2, std::string(flag) + ": " + parsed.status().message());
    *endpoint = parsed.value();
  }
  options.store.repository = f.repository;
  options.store.load.workers = std::max<size_t>(1, f.workers);
  options.store.load.engine_threads = std::max(1, f.engine_threads);
  options.store.load.max_queue_size = std::max<size_t>(1, f.max_queue);
  options.poll_interval = std::chrono::milliseconds(static_cast<int64_t>(std::max(0.1, f.poll_seconds) * 1000));
  options.io_threads = std::max(1, f.io_threads);
  options.max_body_bytes = f.max_body_bytes;
  options.provisioning.ecs_url = f.ecs;
  options.provisioning.ecs_verifier = std::move(verifier).value();
  options.provisioning.clock = &clock;

  // EPC: attach before booting so that the models load into EPC pages.
  f.epc.platform = f.platform;
  Result<server::ServerEpc> epc = server::SetUpServerEpc(f.epc, options);
  if (!epc.ok()) Fail(epc.status().code() == StatusCode::kInvalidArgument ? 2 : 1, epc.status().message());

  tee::PlatformOptions platform_options;
  std::unique_ptr<tee::Platform> platform = OrFail(tee::CreatePlatform(f.platform, platform_options), "--platform");

  // The ECS may still be starting or waiting for its first manifest: retry kUnavailable a while.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(f.provision_wait_seconds);
  std::unique_ptr<serving::ModelServer> server;
  while (true) {
    Result<std::unique_ptr<serving::ModelServer>> booted = serving::ModelServer::Boot(platform.get(), options);
    if (booted.ok()) {
      server = std::move(booted).value();
      break;
    }
    const Status& status = booted.status();
    if (serving::IsProvisioningRefusal(status)) Fail(3, status.message());
    if (serving::IsEcsIdentityMismatch(status)) Fail(4, status.message());
    if (status.code() != StatusCode::kUnavailable || std::chrono::steady_clock::now() >= deadline) {
      Fail(1, "boot failed: " + status.ToString());
    }
    Log(LogLevel::kWarning, "server", "boot: " + status.ToString() + "; retrying");
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }

  // Sampling starts once booted (until then the agent says "up 100%" and no EPC figures are
  // exported), so that no sampling thread runs while a failed boot exits.
  if (epc.value().monitor) epc.value().monitor->Start();
  std::fprintf(stderr, "server metrics on %s:%u\n", options.metrics.host.c_str(), server->metrics_port());
  std::fprintf(stderr, "server agent on %s:%u\n", options.agent.host.c_str(), server->agent_port());
  std::fprintf(stderr, "server listening on %s:%u\n", options.listen.host.c_str(), server->inference_port());
  std::fflush(stderr);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  Log(LogLevel::kInfo, "server", std::string("signal ") + (signal_number == SIGTERM ? "SIGTERM" : "SIGINT") + ": draining");
  server->Drain();
  if (f.drain_delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(f.drain_delay_ms));
  server->Shutdown(std::chrono::milliseconds(std::max(0, f.drain_grace_ms)));
  server.reset();  // models go before the EPC memory they live in
  if (epc.value().monitor) epc.value().monitor->Stop();
  Log(LogLevel::kInfo, "server", "stopped");
  return 0;
}
