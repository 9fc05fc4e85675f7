// `s3ml-ecs serve`: open the state (one writer per directory), first boot if needed, serve the
// ECS API with an RA-TLS certificate, shut down gracefully on SIGTERM/SIGINT.
#include <signal.h>

#include <cstdio>
#include <memory>

#include "apps/s3ml-ecs/subcommands.h"
#include "attest/collateral_options.h"
#include "attest/memoized_collateral_source.h"
#include "attest/trust_anchor.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/hex.h"
#include "core/log.h"
#include "crypto/digest.h"
#include "crypto/x509_certificate.h"
#include "ecs/ecs_boot.h"
#include "ecs/ecs_service.h"
#include "ecs/enclave_verifier.h"
#include "ecs/state_store.h"
#include "net/host_port.h"
#include "tee/platform_factory.h"

namespace s3ml::ecs_app {
namespace {

int Fail(const std::string& context, const Status& status) {
  std::fprintf(stderr, "s3ml-ecs: %s: %s\n", context.c_str(), status.ToString().c_str());
  return 1;
}

}  // namespace

void AddServe(CLI::App& app, ServeOptions& o) {
  CLI::App* cmd = app.add_subcommand("serve", "Serve the ECS API (HTTPS, RA-TLS) until SIGTERM");
  cmd->add_option("--state", o.state_dir, "State directory (sealed state, lock)")->required();
  cmd->add_option("--listen", o.listen, "HOST:PORT to listen on (port 0: any free port)");
  cmd->add_option("--platform", o.platform, "TEE backend: sim or gramine")->check(CLI::IsMember({"sim", "gramine"}));
  auto* dir = cmd->add_option("--collateral", o.collateral_dir, "Collateral directory (laid out as testdata/sgx)");
  auto* pccs = cmd->add_option("--pccs", o.pccs_url, "PCCS base URL (https://host:port), instead of --collateral");
  dir->excludes(pccs);
  cmd->add_option("--pccs-ca", o.pccs_ca, "CA certificate (PEM) of the PCCS (default: system trust store)")->needs(pccs);
  cmd->add_flag("--allow-sim", o.allow_sim, "Also trust a simulated platform's root (never in production)");
  cmd->add_option("--sim-root", o.sim_root, "Simulated root CA certificate (PEM), with --allow-sim");
  cmd->add_option("--io-threads", o.io_threads, "HTTP IO threads")->check(CLI::Range(1, 64));
}

int Serve(const ServeOptions& o) {
  if (o.collateral_dir.empty() == o.pccs_url.empty()) {
    std::fprintf(stderr, "s3ml-ecs: give either --collateral DIR or --pccs URL\n");
    return 2;
  }
  if (!o.sim_root.empty() && !o.allow_sim) {
    std::fprintf(stderr, "s3ml-ecs: --sim-root is only trusted together with --allow-sim\n");
    return 2;
  }
  if (o.allow_sim && o.sim_root.empty()) {
    std::fprintf(stderr, "s3ml-ecs: --allow-sim needs --sim-root PEM\n");
    return 2;
  }
  Result<net::HostPort> listen = net::ParseHostPort(o.listen);
  if (!listen.ok()) return Fail("--listen", listen.status());
  const std::string& host = listen->host;
  const uint16_t port = listen->port;

  // Signals are blocked before any thread starts, so that only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const Clock& clock = SystemClock::Get();
  auto platform = tee::CreatePlatform(o.platform, tee::PlatformOptions{});
  if (!platform.ok()) return Fail("--platform", platform.status());

  attest::TrustAnchors anchors = attest::TrustAnchors::IntelOnly();
  if (o.allow_sim) {
    auto pem = ReadFileText(o.sim_root, 1 << 20);
    if (!pem.ok()) return Fail("--sim-root", pem.status());
    auto root = crypto::X509Certificate::FromPem(*pem);
    if (!root.ok()) return Fail("--sim-root", root.status());
    if (Status s = anchors.AddRootCertificate(*root, /*simulated=*/true); !s.ok()) return Fail("--sim-root", s);
  }

  // Parsed collateral is kept in memory until its nextUpdate: the ECS verifies a quote on every
  // model server handshake, and reparsing (or re-reading the PCCS disk cache) each time buys nothing.
  attest::CollateralOptions collateral_options;
  collateral_options.directory = o.collateral_dir;
  collateral_options.pccs_url = o.pccs_url;
  collateral_options.pccs_ca_path = o.pccs_ca;
  if (!o.pccs_url.empty()) collateral_options.cache_directory = o.state_dir + "/collateral-cache";
  auto collateral = attest::MakeCollateralSource(collateral_options, &clock);
  if (!collateral.ok()) return Fail(o.pccs_url.empty() ? "--collateral" : "--pccs", collateral.status());

  auto store = ecs::StateStore::Open(o.state_dir, **platform);
  if (!store.ok()) return Fail("state " + o.state_dir, store.status());
  auto booted = ecs::LoadOrCreateState(**store, clock);
  if (!booted.ok()) return Fail("state " + o.state_dir, booted.status());
  {
    auto root = crypto::X509Certificate::FromPem(booted->state.root_ca_certificate_pem);
    const std::string fingerprint = root.ok() ? HexEncode(crypto::Sha256(root->Der())) : "?";
    Log(LogLevel::kInfo, "ecs",
        std::string(booted->first_boot ? "first boot: created" : "loaded") + " state version=" +
            std::to_string(booted->state.version) + " root_ca_sha256=" + fingerprint);
  }

  ecs::EnclaveVerifierOptions verifier_options;
  verifier_options.anchors = std::move(anchors);
  verifier_options.collateral =
      std::make_shared<attest::MemoizedCollateralSource>(std::move(collateral).value(), &clock);
  verifier_options.clock = &clock;
  auto verifier = ecs::EnclaveVerifier::Create(std::move(verifier_options));
  if (!verifier.ok()) return Fail("verifier", verifier.status());

  ecs::StateStore* store_ptr = store->get();
  ecs::EcsServiceOptions options;
  options.address = host;
  options.port = port;
  options.io_threads = o.io_threads;
  options.platform = platform->get();
  options.clock = &clock;
  options.enclave_verifier = *verifier;
  options.commit = [store_ptr](ecs::EcsState& state) { return store_ptr->Commit(state); };
  auto service = ecs::EcsService::Start(std::move(options), std::move(booted->state));
  if (!service.ok()) return Fail("serve", service.status());

  const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::fprintf(stderr, "ecs listening on %s:%u\n", shown_host.c_str(), static_cast<unsigned>((*service)->port()));
  std::fflush(stderr);

  int received = 0;
  sigwait(&signals, &received);
  Log(LogLevel::kInfo, "ecs", std::string("shutting down on ") + (received == SIGTERM ? "SIGTERM" : "SIGINT"));
  (*service)->Shutdown(std::chrono::milliseconds(5000));
  return 0;
}

}  // namespace s3ml::ecs_app
