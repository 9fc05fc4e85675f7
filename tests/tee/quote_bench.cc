// Hand-run measurement of simulated quote generation (not a test: no timing is asserted).
//   tee_quote_bench [N]
// Prints the median of N (default 200) runs of: BuildSimQuote in-process (ECDSA signing of the
// quote and the QE report), and a full SimPlatform::GetQuote round trip through the daemon's
// socket (peer identification with a cached measurement, sigstruct check, quote building).
// It makes itself an enclave program: writes <self>.enclave.json and <self>.sigstruct.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/file.h"
#include "crypto/ec_key.h"
#include "tee/sim/enclave_measurement.h"
#include "tee/sim/qe_server.h"
#include "tee/sim/sim_authority.h"
#include "tee/sim/sim_platform.h"
#include "tee/sim/sim_quote_builder.h"
#include "tee/sim/sim_sigstruct.h"

using namespace s3ml;
using namespace s3ml::tee;

namespace {

template <typename F>
double MedianMicros(int n, F&& f) {
  std::vector<double> us;
  for (int i = 0; i < n; ++i) {
    uint64_t t0 = MonotonicNanos();
    f();
    us.push_back(static_cast<double>(MonotonicNanos() - t0) / 1000.0);
  }
  std::sort(us.begin(), us.end());
  return us[us.size() / 2];
}

int Die(const Status& s) {
  std::fprintf(stderr, "%s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
  char dir_template[] = "/tmp/s3ml-bench-XXXXXX";
  const std::string dir = ::mkdtemp(dir_template);
  auto authority = sim::SimAuthority::Create(dir + "/sim", sim::SimInitOptions{}, SystemClock::Get());
  if (!authority.ok()) return Die(authority.status());

  Identity id;
  id.mrenclave.fill(1);
  std::vector<uint8_t> rd(64, 7);
  double build = MedianMicros(n, [&] { (void)sim::BuildSimQuote(authority.value(), id, rd); });

  char self[4096];
  ssize_t len = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (len <= 0) return 1;
  const std::string exe(self, static_cast<size_t>(len));
  Status w = WriteFileAtomic(sim::EnclaveConfigPath(exe), AsBytes("{\"debug\": false}"), 0644);
  if (!w.ok()) return Die(w);
  auto signer = crypto::EcKey::Generate(crypto::EcCurve::kP256).value();
  auto m = sim::MeasureEnclaveFile(exe);
  if (!m.ok()) return Die(m.status());
  w = WriteFileAtomic(sim::SigstructPath(exe), sim::SignSigstruct(signer, m->mrenclave, 1, 1).value(), 0644);
  if (!w.ok()) return Die(w);

  sim::QeServerOptions options;
  options.socket_path = dir + "/qe.sock";
  auto server = sim::QeServer::Start(std::move(authority).value(), options);
  if (!server.ok()) return Die(server.status());
  std::thread t([&] { (void)(*server)->Run(); });
  sim::SimPlatform platform(options.socket_path);
  auto first = platform.GetQuote(rd);  // the first call measures the executable
  if (!first.ok()) return Die(first.status());
  double round_trip = MedianMicros(n, [&] { (void)platform.GetQuote(rd); });
  (*server)->Stop();
  t.join();
  server->reset();
  std::printf("quote size: %zu bytes\n", first->size());
  std::printf("BuildSimQuote (in-process):          median %.1f us over %d runs\n", build, n);
  std::printf("SimPlatform::GetQuote (via daemon):  median %.1f us over %d runs\n", round_trip, n);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::remove(sim::EnclaveConfigPath(exe), ec);
  std::filesystem::remove(sim::SigstructPath(exe), ec);
  return 0;
}
