// Hand-run measurement (not a test): median time of RA-TLS certificate creation and of a full
// mutual RA-TLS handshake (TCP connect + TLS 1.3 handshake with both RaTlsVerifiers + one small
// request) on loopback, with the simulated platform. Quotes come from a signed enclave helper run
// as a child process, so "create" includes that process's start-up; "quote" is measured alone to
// separate it out.   Usage: ratls_bench [iterations]
#include <algorithm>
#include <any>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "attest/ratls_certificate.h"
#include "attest/ratls_verifier.h"
#include "core/clock.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "net/router.h"
#include "tests/attest/ratls/ratls_test_env.h"

namespace {

using namespace s3ml;
using namespace s3ml::attest;
using testing::RaTlsTestEnv;
using tee::testing::kVerifyTime;

double MedianMs(std::vector<uint64_t> nanos) {
  std::sort(nanos.begin(), nanos.end());
  return static_cast<double>(nanos[nanos.size() / 2]) / 1e6;
}

uint64_t ProcessCpuNanos() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

// Median wall time and median CPU time of this process (all its threads: on a loaded machine
// the wall time mostly measures waiting for a core).
struct Medians {
  double wall_ms;
  double cpu_ms;
};

template <typename F>
Medians Measure(int iterations, F f) {
  std::vector<uint64_t> wall, cpu;
  for (int i = 0; i < iterations; ++i) {
    const uint64_t start = MonotonicNanos();
    const uint64_t cpu_start = ProcessCpuNanos();
    f();
    cpu.push_back(ProcessCpuNanos() - cpu_start);
    wall.push_back(MonotonicNanos() - start);
  }
  return {MedianMs(wall), MedianMs(cpu)};
}

void Print(const char* what, Medians m) {
  std::printf("%s: median wall %.3f ms, median process CPU %.3f ms\n", what, m.wall_ms, m.cpu_ms);
}

void Check(const Status& s) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    std::exit(1);
  }
}

std::string AsString(const crypto::SecretBytes& s) { return std::string(s.data(), s.data() + s.size()); }

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 50;
  if (iterations <= 0) return 2;
  RaTlsTestEnv env;
  auto server_enclave = env.AddEnclave("bench_server", 1, 1);
  auto client_enclave = env.AddEnclave("bench_client", 2, 1);
  auto server_platform = env.PlatformOf(server_enclave);
  auto client_platform = env.PlatformOf(client_enclave);
  FixedClock clock(kVerifyTime + 60);

  const std::vector<uint8_t> report_data(64, 0);
  const Medians quote_ms = Measure(iterations, [&] { Check(server_platform->GetQuote(report_data).status()); });
  const Medians create_ms = Measure(iterations, [&] {
    Check(CreateRaTlsCertificate(*server_platform, {}, FixedClock(kVerifyTime)).status());
  });

  auto server_creds = CreateRaTlsCertificate(*server_platform, {}, FixedClock(kVerifyTime));
  auto client_creds = CreateRaTlsCertificate(*client_platform, {}, FixedClock(kVerifyTime));
  Check(server_creds.status());
  Check(client_creds.status());
  const Medians verify_ms = Measure(iterations, [&] {
    auto verifier = RaTlsVerifier::Create(testing::SimVerifierOptions(env, testing::PolicyForSigner(server_enclave), &clock));
    Check(verifier->Verify(server_creds->certificate_der).status());
  });

  net::TlsServerOptions server_tls;
  server_tls.certificate_chain_pem = server_creds->certificate_pem;
  server_tls.private_key_pem = AsString(server_creds->private_key_pem);
  server_tls.client_certificate = net::ClientCertificateMode::kRequire;
  server_tls.verifier =
      RaTlsVerifier::Create(testing::SimVerifierOptions(env, testing::PolicyForSigner(client_enclave), &clock))
          ->AsPeerVerifier();
  server_tls.clock = &clock;
  net::HttpServerOptions server_options;
  server_options.tls = net::TlsContext::CreateServer(server_tls).value();
  server_options.io_threads = 1;
  net::Router router;
  Check(router.Add("GET", "/", [](net::HttpRequest request, net::HttpResponder respond) {
    const bool attested = std::any_cast<RaTlsPeerIdentity>(&request.peer->claims) != nullptr;
    respond(net::HttpResponse::Text(attested ? 200 : 403, "ok"));
  }));
  net::HttpServer server(server_options, std::move(router));
  Check(server.Start());

  net::TlsClientOptions client_tls;
  client_tls.verifier =
      RaTlsVerifier::Create(testing::SimVerifierOptions(env, testing::PolicyForSigner(server_enclave), &clock))
          ->AsPeerVerifier();
  client_tls.certificate_chain_pem = client_creds->certificate_pem;
  client_tls.private_key_pem = AsString(client_creds->private_key_pem);
  client_tls.clock = &clock;
  net::HttpClientOptions client_options;
  client_options.tls = net::TlsContext::CreateClient(client_tls).value();
  const Medians handshake_ms = Measure(iterations, [&] {
    net::HttpClient client("127.0.0.1", server.port(), client_options);
    auto response = client.Get("/");
    Check(response.status());
    if (response->status != 200) std::exit(1);
  });
  server.Shutdown(std::chrono::milliseconds(0));

  std::printf("iterations: %d\n", iterations);
  Print("quote via enclave helper process (child's CPU not counted)", quote_ms);
  Print("RA-TLS certificate creation (P-256, incl. quote)", create_ms);
  Print("RA-TLS certificate verification (parse + DCAP + binding + policy)", verify_ms);
  Print("mutual RA-TLS handshake + 1 request on loopback (client and server threads)", handshake_ms);
  return 0;
}
