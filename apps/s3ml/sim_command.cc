// `s3ml sim ...`: the simulated SGX platform of this host (DESIGN.md, backend `sim`).
//   init        create the simulated "Intel" (CAs, PCK certificate, QE key, collateral, secret)
//   refresh     re-issue CRLs, TCB Info and QE Identity for a new validity window
//   revoke-pck  put this host's PCK certificate on the PCK CRL
//   keygen      create an enclave signing key (P-256, PEM, 0600)
//   sign        write <binary>.sigstruct: the signer vouches for the binary's MRENCLAVE
//   qe          run the quoting daemon (like aesmd) on a Unix socket until SIGINT/SIGTERM
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "apps/s3ml/command.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/hex.h"
#include "crypto/ec_key.h"
#include "tee/sim/enclave_measurement.h"
#include "tee/sim/qe_server.h"
#include "tee/sim/sim_authority.h"
#include "tee/sim/sim_paths.h"
#include "tee/sim/sim_sigstruct.h"

namespace {

using namespace s3ml;
using namespace s3ml::tee::sim;

struct Options {
  std::string dir;
  std::string tcb_status = "UpToDate";
  std::string fmspc;
  int validity_days = 30;
  std::string socket;
  std::string key_path;
  std::string binary;
  std::string out;
  uint16_t isv_prod_id = 0;
  uint16_t isv_svn = 0;
};

std::string Directory(const Options& o) {
  if (!o.dir.empty()) return o.dir;
  return cli::ValueOrFail(DefaultSimDirectory(), "--dir");
}

void PrintVerifyHint(const SimAuthority& a) {
  std::printf("collateral:  %s\n", a.paths().collateral().c_str());
  std::printf("root CA:     %s (pin with: s3ml quote verify --allow-sim --sim-root %s)\n",
              a.paths().cert("root_ca").c_str(), a.paths().cert("root_ca").c_str());
}

void Init(const Options& o) {
  SimInitOptions init;
  init.tcb_status = o.tcb_status;
  init.validity_days = o.validity_days;
  if (!o.fmspc.empty()) {
    auto bytes = cli::ValueOrFail(HexDecode(o.fmspc), "--fmspc");
    if (bytes.size() != 6) throw cli::CommandFailed(1, "--fmspc must be 6 bytes (12 hex digits)");
    std::array<uint8_t, 6> fmspc;
    std::copy(bytes.begin(), bytes.end(), fmspc.begin());
    init.fmspc = fmspc;
  }
  const std::string dir = Directory(o);
  SimAuthority a = cli::ValueOrFail(SimAuthority::Create(dir, init, SystemClock::Get()), "sim init");
  std::printf("simulated SGX platform created in %s\n", dir.c_str());
  std::printf("fmspc:       %s\ntcb status:  %s\n", HexEncode(a.state().fmspc).c_str(), a.state().tcb_status.c_str());
  PrintVerifyHint(a);
}

void Refresh(const Options& o) {
  SimAuthority a = cli::ValueOrFail(SimAuthority::Open(Directory(o)), "sim refresh");
  cli::CheckOk(a.Refresh(SystemClock::Get()), "sim refresh");
  std::printf("collateral re-issued, valid for %d days\n", a.state().validity_days);
  PrintVerifyHint(a);
}

void RevokePck(const Options& o) {
  SimAuthority a = cli::ValueOrFail(SimAuthority::Open(Directory(o)), "sim revoke-pck");
  cli::CheckOk(a.RevokePck(SystemClock::Get()), "sim revoke-pck");
  std::printf("PCK certificate serial %s is now on the PCK CRL\n",
              HexEncode(a.pck_certificate().SerialNumber()).c_str());
}

void Keygen(const Options& o) {
  auto key = cli::ValueOrFail(crypto::EcKey::Generate(crypto::EcCurve::kP256), "keygen");
  auto pem = cli::ValueOrFail(key.PrivateKeyPem(), "keygen");
  cli::CheckOk(WriteFileAtomic(o.out, pem.span(), 0600), o.out);
  std::printf("signing key written to %s\n", o.out.c_str());
}

void Sign(const Options& o) {
  auto pem = cli::ValueOrFail(ReadFileText(o.key_path, 64 * 1024), "--key");
  auto key = cli::ValueOrFail(crypto::EcKey::FromPrivateKeyPem(pem), "--key");
  auto measurement = cli::ValueOrFail(MeasureEnclaveFile(o.binary), "--binary");
  auto sigstruct = cli::ValueOrFail(SignSigstruct(key, measurement.mrenclave, o.isv_prod_id, o.isv_svn), "sign");
  const std::string path = SigstructPath(o.binary);
  cli::CheckOk(WriteFileAtomic(path, sigstruct, 0644), path);
  auto parsed = cli::ValueOrFail(ParseAndVerifySigstruct(sigstruct), "sign");
  std::printf("signed %s -> %s\n", o.binary.c_str(), path.c_str());
  std::printf("mrenclave:   %s\nmrsigner:    %s\nisvprodid:   %u\nisvsvn:      %u\ndebug:       %s\n",
              HexEncode(measurement.mrenclave).c_str(), HexEncode(parsed.mrsigner).c_str(), o.isv_prod_id, o.isv_svn,
              measurement.config.debug ? "yes" : "no");
}

void Qe(const Options& o) {
  const std::string dir = Directory(o);
  SimAuthority a = cli::ValueOrFail(SimAuthority::Open(dir), "sim qe");
  QeServerOptions server_options;
  server_options.socket_path = o.socket.empty() ? a.paths().socket() : o.socket;
  // Signals are taken by a dedicated thread (sigwait) so the server stops cleanly.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  auto server = cli::ValueOrFail(QeServer::Start(std::move(a), server_options), "sim qe");
  std::printf("simulated QE listening on %s (S3ML_SIM_QE_SOCKET=%s)\n", server->socket_path().c_str(),
              server->socket_path().c_str());
  std::fflush(stdout);
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    server->Stop();
  });
  Status status = server->Run();
  if (!status.ok()) ::kill(::getpid(), SIGTERM);  // releases the waiter
  waiter.join();
  cli::CheckOk(status, "sim qe");
}

void Setup(CLI::App& app) {
  auto* sim =
      app.add_subcommand("sim", "Simulated SGX platform of this host (init, refresh, revoke-pck, keygen, sign, qe)");
  sim->require_subcommand(1);
  auto o = std::make_shared<Options>();
  auto add_dir = [o](CLI::App* cmd) {
    cmd->add_option("--dir", o->dir, "Simulated platform directory (default $XDG_DATA_HOME/s3ml/sim)");
  };

  auto* init =
      sim->add_subcommand("init", "Create the simulated CAs, PCK certificate, QE key, collateral and platform secret");
  add_dir(init);
  init->add_option("--tcb-status", o->tcb_status,
                   "TCB status the TCB Info gives this platform (UpToDate, OutOfDate, ...)");
  init->add_option("--fmspc", o->fmspc, "FMSPC, 12 hex digits");
  init->add_option("--validity-days", o->validity_days, "Collateral validity in days (default 30)");
  init->callback([o] { Init(*o); });

  auto* refresh = sim->add_subcommand("refresh", "Re-issue CRLs, TCB Info and QE Identity from now");
  add_dir(refresh);
  refresh->callback([o] { Refresh(*o); });

  auto* revoke = sim->add_subcommand("revoke-pck", "Put this platform's PCK certificate on the PCK CRL");
  add_dir(revoke);
  revoke->callback([o] { RevokePck(*o); });

  auto* keygen = sim->add_subcommand("keygen", "Create an enclave signing key (P-256 PEM)");
  keygen->add_option("--out", o->out, "Output PEM file (written 0600)")->required();
  keygen->callback([o] { Keygen(*o); });

  auto* sign = sim->add_subcommand("sign", "Sign an enclave binary: writes <binary>.sigstruct");
  sign->add_option("--key", o->key_path, "Signer private key (PEM)")->required();
  sign->add_option("--binary", o->binary, "Enclave executable (its <binary>.enclave.json must exist)")->required();
  sign->add_option("--isvprodid", o->isv_prod_id, "ISVPRODID (0..65535)");
  sign->add_option("--isvsvn", o->isv_svn, "ISVSVN (0..65535)");
  sign->callback([o] { Sign(*o); });

  auto* qe = sim->add_subcommand("qe", "Run the simulated quoting daemon until SIGINT/SIGTERM");
  add_dir(qe);
  qe->add_option("--socket", o->socket, "Unix socket path (default <dir>/qe.sock)");
  qe->callback([o] { Qe(*o); });
}

const cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
