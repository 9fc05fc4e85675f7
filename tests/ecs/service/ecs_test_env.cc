#include "tests/ecs/service/ecs_test_env.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "attest/ratls_verifier.h"
#include "core/base64.h"
#include "core/byte_reader.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/hex.h"
#include "crypto/x509_builder.h"
#include "tee/sim/enclave_measurement.h"

namespace s3ml::ecs::testing {

namespace tt = tee::testing;

std::string AsString(const crypto::SecretBytes& s) { return std::string(s.data(), s.data() + s.size()); }

std::string EcsBinaryPath() { return S3ML_ECS_BINARY; }

// ---- EcsProcess ----

EcsProcess::~EcsProcess() {
  if (pid_ > 0) Kill9();
  JoinDrain();
  if (stderr_fd_ >= 0) ::close(stderr_fd_);
}

std::string EcsProcess::output() const {
  std::lock_guard<std::mutex> lock(mu_);
  return output_;
}

void EcsProcess::JoinDrain() {
  if (drain_.joinable()) drain_.join();
}

bool EcsProcess::Start(const std::vector<std::string>& argv, const std::string& qe_socket) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return false;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).starts_with("S3ML_SIM_QE_SOCKET=")) continue;
    env_strings.push_back(*e);
  }
  env_strings.push_back("S3ML_SIM_QE_SOCKET=" + qe_socket);
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(pipe_fds[1], 2);
    int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, 1);
    ::execve(args[0], args.data(), env.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  stderr_fd_ = pipe_fds[0];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd fd{stderr_fd_, POLLIN, 0};
    if (::poll(&fd, 1, 200) <= 0) continue;
    ssize_t n = ::read(stderr_fd_, buf, sizeof(buf));
    if (n <= 0) break;  // the process closed stderr: it exited
    std::lock_guard<std::mutex> lock(mu_);
    output_.append(buf, static_cast<size_t>(n));
    const size_t at = output_.find("ecs listening on ");
    if (at != std::string::npos) {
      const size_t eol = output_.find('\n', at);
      if (eol == std::string::npos) continue;
      const std::string line = output_.substr(at, eol - at);
      port_ = static_cast<uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
      drain_ = std::thread([this] {
        char chunk[4096];
        for (;;) {
          ssize_t got = ::read(stderr_fd_, chunk, sizeof(chunk));
          if (got <= 0) return;  // EOF once the process exited
          std::lock_guard<std::mutex> drain_lock(mu_);
          if (output_.size() < (4u << 20)) output_.append(chunk, static_cast<size_t>(got));
        }
      });
      return true;
    }
  }
  Kill9();
  return false;
}

int EcsProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  JoinDrain();
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void EcsProcess::Kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  JoinDrain();
}

// ---- EcsTestHost ----

EcsTestHost::EcsTestHost(HostOptions options) : ecs_signer_(tt::NewSigner()) {
  tee::sim::SimInitOptions init;
  init.tcb_status = options.tcb_status;
  init.validity_days = options.validity_days;
  const int64_t created = SystemClock::Get().NowUnixSeconds() - options.created_seconds_ago;
  auto authority = tee::sim::SimAuthority::Create(dir_.Sub("sim"), init, FixedClock(created));
  if (!authority.ok()) {
    ADD_FAILURE() << authority.status().ToString();
    std::abort();
  }
  collateral_ = tt::LoadSimCollateral(*authority);
  anchors_ = tt::SimAnchors(*authority);
  qe_ = std::make_unique<tt::RunningQe>(std::move(authority).value(), dir_.Sub("qe.sock"));

  ecs_binary_ = dir_.Sub("s3ml-ecs");
  std::filesystem::copy_file(EcsBinaryPath(), ecs_binary_);
  std::filesystem::permissions(ecs_binary_, std::filesystem::perms::owner_all);
  EXPECT_TRUE(WriteFileAtomic(tee::sim::EnclaveConfigPath(ecs_binary_), AsBytes(std::string("{\"debug\": false}\n")),
                              0644)
                  .ok());
  tt::SignEnclave(ecs_binary_, ecs_signer_, 7, 3);
  auto measured = tee::sim::MeasureEnclaveFile(ecs_binary_);
  if (!measured.ok()) std::abort();
  ecs_mrenclave_ = measured->mrenclave;
  ecs_mrsigner_ = tt::MrSignerOf(ecs_signer_);
}

EcsTestHost::~EcsTestHost() = default;

std::string EcsTestHost::sim_root_path() const { return dir_.Sub("sim") + "/certs/root_ca.pem"; }
std::string EcsTestHost::collateral_dir() const { return dir_.Sub("sim") + "/collateral"; }

std::vector<std::string> EcsTestHost::ServeArgs(const std::string& state_dir) const {
  return {ecs_binary_, "serve", "--state", state_dir, "--listen", "127.0.0.1:0", "--platform", "sim",
          "--collateral", collateral_dir(), "--allow-sim", "--sim-root", sim_root_path()};
}

std::unique_ptr<EcsProcess> EcsTestHost::StartEcs(const std::string& state_dir) const {
  auto process = std::make_unique<EcsProcess>();
  const bool started = process->Start(ServeArgs(state_dir), qe_socket());
  EXPECT_TRUE(started) << "s3ml-ecs did not become ready:\n" << process->output();
  if (!started) return nullptr;
  return process;
}

attest::testing::TestEnclave EcsTestHost::AddEnclave(const std::string& name, uint16_t isv_prod_id, uint16_t isv_svn,
                                                     bool debug, const crypto::EcKey* signer) {
  const std::string binary = tt::InstallEnclave(dir_.path(), name, debug);
  {
    // Every copy of the helper would measure the same; trailing bytes (ignored by the ELF
    // loader) make each one a different build, hence a different MRENCLAVE.
    std::ofstream out(binary, std::ios::app | std::ios::binary);
    out << "\ns3ml-test-enclave:" << name << "\n";
  }
  attest::testing::TestEnclave e{binary,
                                 signer ? crypto::EcKey::FromPrivateKeyPem(AsString(signer->PrivateKeyPem().value())).value()
                                        : tt::NewSigner()};
  tt::SignEnclave(e.binary, e.signer, isv_prod_id, isv_svn);
  auto measured = tee::sim::MeasureEnclaveFile(e.binary);
  if (!measured.ok()) std::abort();
  e.mrenclave = measured->mrenclave;
  e.mrsigner = tt::MrSignerOf(e.signer);
  e.isv_prod_id = isv_prod_id;
  e.isv_svn = isv_svn;
  e.debug = debug;
  return e;
}

attest::RaTlsCredentials EcsTestHost::Credentials(const attest::testing::TestEnclave& enclave) const {
  attest::testing::EnclaveProcessPlatform platform(enclave.binary, qe_socket());
  attest::RaTlsCertificateOptions options;
  auto creds = attest::CreateRaTlsCertificate(platform, options, SystemClock::Get());
  if (!creds.ok()) {
    ADD_FAILURE() << creds.status().ToString();
    std::abort();
  }
  return std::move(creds).value();
}

std::unique_ptr<net::HttpClient> EcsTestHost::Client(uint16_t port, const std::string& client_pem,
                                                     const std::string& client_key_pem, bool verify_ecs) const {
  net::TlsClientOptions tls;
  if (verify_ecs) {
    attest::RaTlsVerifierOptions options;
    options.anchors = anchors_;
    options.collateral = attest::FixedCollateralSource(*collateral_);
    options.policy.allowed_signers.push_back(attest::SignerRule{ecs_mrsigner_, 7, 3});
    options.policy.allow_simulated = true;
    options.clock = &SystemClock::Get();
    auto verifier = attest::RaTlsVerifier::Create(std::move(options));
    if (!verifier.ok()) std::abort();
    tls.verifier = verifier->AsPeerVerifier();
  } else {
    tls.verifier = [](const net::CertificateChain&, std::any&) { return Status::Ok(); };
  }
  tls.certificate_chain_pem = client_pem;
  tls.private_key_pem = client_key_pem;
  auto context = net::TlsContext::CreateClient(tls);
  if (!context.ok()) {
    ADD_FAILURE() << context.status().ToString();
    std::abort();
  }
  net::HttpClientOptions options;
  options.tls = *context;
  options.connect_timeout = std::chrono::milliseconds(10000);
  options.request_timeout = std::chrono::milliseconds(20000);
  return std::make_unique<net::HttpClient>("127.0.0.1", port, options);
}

// ---- Owner and manifests ----

Owner Owner::Create() {
  Owner o{crypto::EcKey::Generate(crypto::EcCurve::kP384).value(), "", "",
          crypto::EcKey::Generate(crypto::EcCurve::kP384).value(), ""};
  const int64_t now = SystemClock::Get().NowUnixSeconds();
  crypto::X509Builder b;
  b.SetSubject({{"CN", "s3ml owner"}}).SetValidity(now - 300, now + 86400).SetPublicKey(o.key);
  o.certificate_pem = b.Build(o.key).value().Pem().value();
  o.key_pem = AsString(o.key.PrivateKeyPem().value());
  o.recovery_key_pem = AsString(o.recovery.PrivateKeyPem().value());
  return o;
}

std::string Owner::SignBase64(const std::string& body) const {
  auto signature = key.SignDer(AsBytes(body));
  return Base64Encode(signature.value());
}

std::string Owner::PublicKeyPem() const { return key.PublicKeyPem().value(); }
std::string Owner::RecoveryPublicKeyPem() const { return recovery.PublicKeyPem().value(); }

std::string IdentityJson(const std::string& name, const attest::testing::TestEnclave& enclave,
                         const std::vector<std::string>& models, const std::string& extra, bool by_mrenclave) {
  nlohmann::json j;
  j["name"] = name;
  if (by_mrenclave) {
    j["mrenclave"] = nlohmann::json::array({HexEncode(enclave.mrenclave)});
  } else {
    j["signers"] = nlohmann::json::array(
        {{{"mrsigner", HexEncode(enclave.mrsigner)}, {"isvprodid", enclave.isv_prod_id}, {"min_isvsvn", enclave.isv_svn}}});
  }
  j["allow_simulated"] = true;
  j["models"] = models;
  if (!extra.empty()) j.update(nlohmann::json::parse(extra));
  return j.dump();
}

std::string ManifestJson(const Owner& owner, int version, const std::vector<std::string>& identities,
                         int64_t lifetime) {
  std::string out = "{\"version\": " + std::to_string(version) + ",\n \"owner_public_key\": " +
                    nlohmann::json(owner.PublicKeyPem()).dump() +
                    ",\n \"recovery_public_key\": " + nlohmann::json(owner.RecoveryPublicKeyPem()).dump() +
                    ",\n \"service_names\": [\"localhost\", \"127.0.0.1\"],\n \"certificate_lifetime_seconds\": " +
                    std::to_string(lifetime) + ",\n \"identities\": [";
  for (size_t i = 0; i < identities.size(); ++i) out += (i ? ", " : "") + identities[i];
  return out + "]}\n";
}

}  // namespace s3ml::ecs::testing
