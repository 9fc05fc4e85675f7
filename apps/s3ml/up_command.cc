// `s3ml up`: starts a local secure serving cluster on the simulated SGX platform (DESIGN.md,
// "Local cluster") and prints how to reach it:
//   1. the simulated SGX host (sim init, once) and its quoting daemon;
//   2. signed copies of s3ml-ecs and s3ml-server (one signer; MRSIGNER is what the manifest pins);
//   3. the ECS, attested like any client would (quote, binding, expected MRSIGNER), its root CA pinned;
//   4. the owner's keys, the manifest (server identity = signer + ISVPRODID + min ISVSVN), the models
//      encrypted into the repository and their keys pushed to the ECS;
//   5. N model servers (each provisions from the ECS by mutual RA-TLS), HAProxy (TCP passthrough),
//      servers added through HAProxy's runtime API, waiting until HAProxy sees them up.
// With --hosts K, K emulated SGX hosts (cluster/emulated_hosts.h): each a simulated EPC of
// --epc-mib created before the servers and watched by its own s3ml-epcd; servers are spread over
// them and run with --epc-host H --agent-policy epc, so their HAProxy weight follows their host's
// paging rate (cluster/weight_policy.h). Without --hosts nothing touches the EPC.
// Everything lives in the state directory (cluster/cluster_state.h); `s3ml down` stops it and
// `s3ml status` shows it. If a step fails, what was started is stopped again and the failing
// process's log tail is printed (a refused server says why).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apps/s3ml/cluster_flags.h"
#include "apps/s3ml/command.h"
#include "client/ecs_attest_flags.h"
#include "client/ecs_client.h"
#include "client/encrypted_model.h"
#include "client/label_map.h"
#include "client/repository_labels.h"
#include "client/manifest_builder.h"
#include "client/owner_keys.h"
#include "cluster/cluster_state.h"
#include "cluster/emulated_hosts.h"
#include "cluster/executable_lookup.h"
#include "cluster/haproxy_config.h"
#include "cluster/haproxy_runtime.h"
#include "cluster/port_plan.h"
#include "cluster/process_supervisor.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/hex.h"
#include "crypto/ec_key.h"
#include "crypto/random.h"
#include "tee/epc/epc_host.h"
#include "tee/epc/host_segment.h"
#include "tee/sim/enclave_measurement.h"
#include "tee/sim/sim_authority.h"
#include "tee/sim/sim_paths.h"
#include "tee/sim/sim_sigstruct.h"

namespace {

using namespace s3ml;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The enclave signer vouches for both programs; ISVPRODID tells them apart so the server identity
// of the manifest cannot match the ECS and the servers' ECS expectation cannot match a server.
constexpr uint16_t kServerProdId = 1;
constexpr uint16_t kEcsProdId = 2;
constexpr uint16_t kIsvSvn = 1;

struct Options {
  int servers = 2;
  std::string models_dir;
  std::string state_dir;
  int base_port = 8443;
  std::string host = "127.0.0.1";
  int timeout_seconds = 120;
  int hosts = 0;               // 0: no emulated hosts (no simulated EPC)
  double epc_mib = 93.5;
  double epc_low = 100;        // s3ml-server's defaults (apps/s3ml-server/server_epc.h)
  double epc_critical = 1000;
  std::string autoscale;       // "": none; "epc" | "cpu": run `s3ml autoscale` with that metric
  int max_servers = 0;         // autoscaler bounds (0: --servers and 2 x --servers)
  int min_servers = 0;
  double scale_target = 0;     // 0: the autoscaler's default for the metric
  double scale_period = 15;
  int scale_down_window = 300;
  std::string agent_policy;    // "": epc with --hosts, else static
  int epc_sample_ms = 1000;    // servers' EPC sampling interval (their agent's answer follows it)
  int agent_interval_ms = 1000;  // HAProxy agent-check interval
};

struct ModelSource {
  std::string name;         // [a-z0-9._-]{1,64}
  std::string tflite_path;
  std::string labels_path;  // "" when none
};

// A flag value for a child's command line (no locale, no trailing zeros).
std::string FormatNumber(double v) {
  char out[32];
  std::snprintf(out, sizeof(out), "%.10g", v);
  return out;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void WriteText(const std::string& path, const std::string& text, unsigned mode = 0644) {
  cli::CheckOk(WriteFileAtomic(path, Bytes(text), mode), path);
}

// The shared test data beside the source tree: build/bin/s3ml -> <repo>/../shared/testdata.
std::string BundledModelsDir(const std::string& self_dir) {
  if (const char* env = std::getenv("S3ML_TESTDATA_DIR"); env != nullptr && *env != '\0')
    return std::string(env) + "/models/coral";
  std::error_code ec;
  for (const std::string& candidate : {self_dir + "/../../../shared/testdata/models/coral",
                                       self_dir + "/../../shared/testdata/models/coral",
                                       self_dir + "/../share/s3ml/models/coral"}) {
    if (fs::is_directory(candidate, ec)) return fs::weakly_canonical(candidate, ec).string();
  }
  throw cli::CommandFailed(1, "cannot find the bundled models (testdata/models/coral); set S3ML_TESTDATA_DIR or pass --models DIR");
}

// "mobilenet_v2_1.0_224_quant" -> "mobilenet_v2_1.0_224_quant"; other characters become '_'.
std::string ModelNameFor(std::string stem) {
  for (char& c : stem) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  if (stem.size() > 64) stem.resize(64);
  return stem;
}

// Default: the bundled MobileNet v2 (uint8) as "mobilenet_v2" with ImageNet labels. With --models
// DIR: every DIR/<stem>.tflite, labels from DIR/<stem>.labels.txt, else DIR/labels.txt.
std::vector<ModelSource> FindModels(const Options& o, const std::string& self_dir) {
  std::vector<ModelSource> models;
  std::error_code ec;
  if (o.models_dir.empty()) {
    const std::string dir = BundledModelsDir(self_dir);
    models.push_back({"mobilenet_v2", dir + "/mobilenet_v2_1.0_224_quant.tflite", dir + "/imagenet_labels.txt"});
  } else {
    if (!fs::is_directory(o.models_dir, ec)) throw cli::CommandFailed(1, "--models: not a directory: " + o.models_dir);
    for (const auto& entry : fs::directory_iterator(o.models_dir, ec)) {
      if (entry.path().extension() != ".tflite") continue;
      const std::string stem = entry.path().stem().string();
      ModelSource m{ModelNameFor(stem), entry.path().string(), ""};
      for (const std::string& labels : {o.models_dir + "/" + stem + ".labels.txt", o.models_dir + "/labels.txt",
                                        o.models_dir + "/imagenet_labels.txt"}) {
        if (fs::is_regular_file(labels, ec)) {
          m.labels_path = labels;
          break;
        }
      }
      models.push_back(std::move(m));
    }
    std::sort(models.begin(), models.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  }
  if (models.empty()) throw cli::CommandFailed(1, "no *.tflite models in " + o.models_dir);
  for (const auto& m : models) {
    if (!fs::is_regular_file(m.tflite_path, ec)) throw cli::CommandFailed(1, "model file missing: " + m.tflite_path);
  }
  return models;
}

// Copies an enclave program and its configuration into enclaves/ and signs the copy, so that this
// cluster's signature never touches (or races with) the build tree.
tee::sim::SimSigstruct InstallAndSign(const std::string& source, const std::string& dest_dir,
                                      const crypto::EcKey& signer, uint16_t prod_id) {
  const std::string name = fs::path(source).filename().string();
  const std::string dest = dest_dir + "/" + name;
  std::error_code ec;
  const std::string config = tee::sim::EnclaveConfigPath(source);
  if (!fs::is_regular_file(config, ec))
    throw cli::CommandFailed(1, "missing enclave configuration " + config + " (its CMake target writes it)");
  fs::copy_file(source, dest, fs::copy_options::overwrite_existing, ec);
  if (ec) throw cli::CommandFailed(1, "copy " + source + ": " + ec.message());
  fs::copy_file(config, tee::sim::EnclaveConfigPath(dest), fs::copy_options::overwrite_existing, ec);
  if (ec) throw cli::CommandFailed(1, "copy " + config + ": " + ec.message());
  auto measurement = cli::ValueOrFail(tee::sim::MeasureEnclaveFile(dest), "measure " + dest);
  auto sigstruct = cli::ValueOrFail(tee::sim::SignSigstruct(signer, measurement.mrenclave, prod_id, kIsvSvn), "sign");
  cli::CheckOk(WriteFileAtomic(tee::sim::SigstructPath(dest), sigstruct, 0644), "sign " + dest);
  auto parsed = cli::ValueOrFail(tee::sim::ParseAndVerifySigstruct(sigstruct), "sign");
  return parsed;
}

crypto::EcKey LoadOrCreateSigner(const std::string& path) {
  std::error_code ec;
  if (fs::exists(path, ec)) {
    auto pem = cli::ValueOrFail(ReadFileText(path, 64 * 1024), path);
    return cli::ValueOrFail(crypto::EcKey::FromPrivateKeyPem(pem), path);
  }
  auto key = cli::ValueOrFail(crypto::EcKey::Generate(crypto::EcCurve::kP256), "signer key");
  auto pem = cli::ValueOrFail(key.PrivateKeyPem(), "signer key");
  cli::CheckOk(WriteFileAtomic(path, pem.span(), 0600), path);
  return key;
}

class ClusterStarter {
 public:
  ClusterStarter(const Options& o, cluster::ClusterLayout layout)
      : o_(o), layout_(std::move(layout)), supervisor_(layout_.root) {}

  // Starts everything; on failure stops what it started and rethrows.
  void Run() {
    try {
      RunSteps();
    } catch (const cli::CommandFailed&) {
      for (auto it = started_.rbegin(); it != started_.rend(); ++it) (void)supervisor_.Stop(*it, 3s);
      for (const auto& h : record_.hosts) (void)tee::epc::EpcHost::Remove(h.name);
      throw;
    }
  }

 private:
  void RunSteps();
  void Start(const cluster::ComponentRecord& component) {
    record_.components.push_back(component);
    cli::CheckOk(cluster::SaveClusterRecord(layout_, record_), "cluster record");
    auto pid = supervisor_.Start({component.name, component.argv, component.env});
    cli::CheckOk(pid.status(), "start " + component.name);
    started_.push_back(component.name);
  }
  void WaitReady(const cluster::ComponentRecord& c) {
    cli::CheckOk(supervisor_.WaitForLogLine(c.name, c.ready_log_line, deadline()), c.name);
  }
  std::chrono::milliseconds deadline() const {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
    return std::max(left, std::chrono::milliseconds(1000));
  }
  std::vector<std::string> SimFlags() const {
    return {"--collateral", layout_.sim() + "/collateral", "--allow-sim", "--sim-root", sim_root_};
  }
  void PrepareSimHost();
  void PrepareEnclaves();
  void StartEcs();
  void ConfigureEcs();
  void CreateEmulatedHosts();
  void StartServers();
  void StartHaproxy();
  void StartAutoscaler();
  void PrintSummary() const;

  Options o_;
  cluster::ClusterLayout layout_;
  cluster::ProcessSupervisor supervisor_;
  cluster::ClusterRecord record_;
  std::vector<std::string> started_;
  std::vector<uint16_t> ports_;
  std::vector<ModelSource> models_;
  std::string self_exe_, self_dir_, sim_root_, ecs_binary_, server_binary_, epcd_binary_;
  std::chrono::steady_clock::time_point deadline_;
};

void ClusterStarter::PrepareSimHost() {
  std::error_code ec;
  if (!fs::exists(tee::sim::SimPaths(layout_.sim()).state(), ec)) {
    auto created = tee::sim::SimAuthority::Create(layout_.sim(), {}, SystemClock::Get());
    cli::CheckOk(created.status(), "sim init " + layout_.sim());
  }
  auto authority = cli::ValueOrFail(tee::sim::SimAuthority::Open(layout_.sim()), "sim " + layout_.sim());
  sim_root_ = authority.paths().cert("root_ca");
}

void ClusterStarter::PrepareEnclaves() {
  std::error_code ec;
  fs::create_directories(layout_.enclaves(), ec);
  crypto::EcKey signer = LoadOrCreateSigner(layout_.signer_key());
  auto ecs = InstallAndSign(ecs_binary_, layout_.enclaves(), signer, kEcsProdId);
  auto server = InstallAndSign(server_binary_, layout_.enclaves(), signer, kServerProdId);
  record_.ecs_mrsigner = HexEncode(ecs.mrsigner);
  record_.server_mrenclave = HexEncode(server.mrenclave);
}

void ClusterStarter::StartEcs() {
  cluster::ComponentRecord qe;
  qe.name = "qe";
  qe.kind = "qe";
  qe.argv = {self_exe_, "sim", "qe", "--dir", layout_.sim(), "--socket", layout_.qe_socket()};
  qe.ready_log_line = "simulated QE listening on";
  Start(qe);
  WaitReady(qe);

  cluster::ComponentRecord ecs;
  ecs.name = "ecs";
  ecs.kind = "ecs";
  ecs.port = record_.ecs_port;
  ecs.argv = {layout_.enclaves() + "/s3ml-ecs", "serve", "--state", layout_.ecs_state(), "--listen",
              o_.host + ":" + std::to_string(ecs.port), "--platform", "sim"};
  for (const auto& f : SimFlags()) ecs.argv.push_back(f);
  ecs.env = {"S3ML_SIM_QE_SOCKET=" + layout_.qe_socket()};
  ecs.ready_log_line = "ecs listening on";
  Start(ecs);
  WaitReady(ecs);
}

void ClusterStarter::ConfigureEcs() {
  const Clock& clock = SystemClock::Get();
  client::EcsAttestFlags flags;
  flags.ecs_url = record_.ecs_url();
  flags.expect_mrsigner = record_.ecs_mrsigner;
  flags.expect_isvprodid = kEcsProdId;
  flags.min_isvsvn = kIsvSvn;
  flags.collateral.directory = layout_.sim() + "/collateral";
  flags.allow_sim = true;
  flags.sim_root_path = sim_root_;
  auto attest_options = cli::ValueOrFail(client::EcsAttestationOptionsFrom(flags, &clock), "ECS attestation options");

  std::error_code ec;
  client::OwnerKeys owner =
      fs::exists(client::OwnerKeyPathsIn(layout_.owner()).owner_key, ec)
          ? cli::ValueOrFail(client::LoadOwnerKeys(layout_.owner()), "owner keys")
          : cli::ValueOrFail(client::CreateOwnerKeys(layout_.owner(), clock), "owner init");
  auto ecs = cli::ValueOrFail(client::EcsClient::Connect(attest_options, &owner), "attest ECS " + record_.ecs_url());
  WriteText(layout_.root_ca(), ecs->attested().root_ca_pem);

  // The manifest: the model-server identity is the signer with its product id and minimum SVN.
  client::ManifestSpec spec;
  spec.owner_public_key_pem = owner.owner_public_key_pem;
  spec.recovery_public_key_pem = owner.recovery_public_key_pem;
  spec.service_names = {"localhost", "127.0.0.1"};
  if (o_.host != "127.0.0.1") spec.service_names.push_back(o_.host);
  client::ManifestIdentity identity;
  identity.name = "model-server";
  attest::SignerRule rule;
  auto mrsigner = cli::ValueOrFail(HexDecode(record_.ecs_mrsigner), "mrsigner");
  std::copy(mrsigner.begin(), mrsigner.end(), rule.mrsigner.begin());
  rule.isv_prod_id = kServerProdId;
  rule.min_isv_svn = kIsvSvn;
  identity.policy.allowed_signers = {rule};
  identity.policy.allow_simulated = true;  // this cluster runs on the simulated platform
  for (const auto& m : models_) identity.models.push_back(m.name);
  spec.identities = {identity};

  if (!ecs->attested().manifest) {
    auto bytes = cli::ValueOrFail(client::BuildManifestJson(spec), "manifest");
    cli::ValueOrFail(ecs->SetManifest(bytes), "set manifest");
  } else {
    // A restarted cluster: keep the manifest if it says the same, else update it (signed).
    const std::string& current = *ecs->attested().manifest;
    spec.version = cli::ValueOrFail(client::ManifestVersion(current), "current manifest");
    auto same = cli::ValueOrFail(client::BuildManifestJson(spec), "manifest");
    if (same != current) {
      spec.version += 1;
      auto bytes = cli::ValueOrFail(client::BuildManifestJson(spec), "manifest");
      cli::ValueOrFail(ecs->UpdateManifest(bytes), "update manifest");
    }
  }

  // Models: a fresh key each time, the encrypted file in the repository, the key to the ECS.
  for (const auto& m : models_) {
    auto plaintext = cli::ValueOrFail(ReadFileBytes(m.tflite_path, 1u << 30), m.tflite_path);
    auto key = cli::ValueOrFail(crypto::RandomSecret(client::kModelKeySize), "model key");
    auto encrypted = cli::ValueOrFail(client::EncryptModel(key.span(), m.name, 1, plaintext), "encrypt " + m.name);
    const std::string model_dir = layout_.repository() + "/" + m.name;
    fs::create_directories(model_dir + "/1", ec);
    cli::CheckOk(ecs->PutModelKey(m.name, key.span()), "push key of " + m.name);
    // The labels before the model file, so that no server ever loads the version without them; a
    // plain labels.txt that earlier releases left in a reused state directory goes.
    WriteText(model_dir + "/config.json", "{}\n");
    fs::remove(model_dir + "/labels.txt", ec);
    if (!m.labels_path.empty()) {
      auto labels = cli::ValueOrFail(ReadFileBytes(m.labels_path, client::kMaxLabelFileBytes), m.labels_path);
      cli::CheckOk(client::WriteSealedLabels(key.span(), m.name, 1, labels, model_dir), "labels of " + m.name);
    }
    cli::CheckOk(WriteFileAtomic(model_dir + "/1/" + client::kEncryptedModelFileName, encrypted, 0644), m.name);
    record_.models.push_back(m.name);
  }
}

// Each host's EPC segment is created here, with --epc-mib, so that its capacity does not depend
// on which server attaches first; a segment left by an earlier run of this state directory is
// replaced (nothing of this cluster is alive, checked before). Then one exporter per host.
void ClusterStarter::CreateEmulatedHosts() {
  if (o_.hosts == 0) return;
  const auto names = cli::ValueOrFail(cluster::EmulatedHostNames(layout_.root, o_.hosts), "--hosts");
  const auto capacity_pages = static_cast<uint64_t>(o_.epc_mib * 1024 * 1024) / tee::epc::kEpcPageSize;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    (void)tee::epc::EpcHost::Remove(name);
    cli::CheckOk(tee::epc::EpcHost::Create(name, capacity_pages), "create EPC host " + name);
    record_.hosts.push_back({name, o_.epc_mib, "epcd-" + std::to_string(i)});
  }
  std::vector<cluster::ComponentRecord> exporters;
  for (size_t i = 0; i < names.size(); ++i) {
    cluster::ComponentRecord e;
    e.name = record_.hosts[i].exporter;
    e.kind = "epcd";
    e.epc_host = names[i];
    e.port = ports_[2 + 3 * static_cast<size_t>(o_.servers) + i];
    e.argv = {epcd_binary_, "--source", "sim", "--host", names[i], "--listen", o_.host + ":" + std::to_string(e.port)};
    e.ready_log_line = "epcd listening on";
    Start(e);
    exporters.push_back(e);
  }
  for (const auto& e : exporters) WaitReady(e);
}

void ClusterStarter::StartServers() {
  std::vector<std::string> placement;
  if (!record_.hosts.empty()) {
    std::vector<std::string> names;
    for (const auto& h : record_.hosts) names.push_back(h.name);
    placement = cli::ValueOrFail(cluster::PlaceServersOnHosts(names, o_.servers), "placement");
  }
  std::vector<cluster::ComponentRecord> servers;
  for (int i = 0; i < o_.servers; ++i) {
    cluster::ComponentRecord s;
    s.name = "server-" + std::to_string(i + 1);
    s.kind = "server";
    s.port = ports_[2 + 3 * i];
    s.metrics_port = ports_[3 + 3 * i];
    s.agent_port = ports_[4 + 3 * i];
    s.argv = {layout_.enclaves() + "/s3ml-server",
              "--ecs", record_.ecs_url(),
              "--ecs-mrsigner", record_.ecs_mrsigner,
              "--ecs-isvprodid", std::to_string(kEcsProdId),
              "--ecs-min-isvsvn", std::to_string(kIsvSvn),
              "--platform", "sim",
              "--repository", layout_.repository(),
              "--listen", o_.host + ":" + std::to_string(s.port),
              "--metrics", o_.host + ":" + std::to_string(s.metrics_port),
              "--agent", o_.host + ":" + std::to_string(s.agent_port)};
    for (const auto& f : SimFlags()) s.argv.push_back(f);
    if (!placement.empty()) {
      s.epc_host = placement[static_cast<size_t>(i)];
      for (const std::string& f : {std::string("--epc-host"), s.epc_host, std::string("--epc-capacity-mib"),
                                   FormatNumber(o_.epc_mib), std::string("--agent-policy"),
                                   o_.agent_policy.empty() ? std::string("epc") : o_.agent_policy,
                                   std::string("--epc-sample-ms"), std::to_string(o_.epc_sample_ms),
                                   std::string("--epc-low-pages-per-s"), FormatNumber(o_.epc_low),
                                   std::string("--epc-critical-pages-per-s"), FormatNumber(o_.epc_critical)})
        s.argv.push_back(f);
    }
    s.env = {"S3ML_SIM_QE_SOCKET=" + layout_.qe_socket()};
    s.ready_log_line = "server listening on";
    Start(s);  // all boot in parallel
    servers.push_back(s);
  }
  for (const auto& s : servers) WaitReady(s);
}

void ClusterStarter::StartHaproxy() {
  const std::string haproxy = cli::ValueOrFail(cluster::FindExecutable("haproxy"), "haproxy");
  cluster::HaproxyConfigOptions config;
  config.admin_socket = layout_.haproxy_socket();
  config.bind_address = o_.host;
  config.service_port = record_.service_port;
  config.backend = record_.backend;
  WriteText(layout_.haproxy_config(), cli::ValueOrFail(cluster::RenderHaproxyConfig(config), "haproxy.cfg"));
  cluster::ComponentRecord h;
  h.name = "haproxy";
  h.kind = "haproxy";
  h.port = record_.service_port;
  h.argv = {haproxy, "-f", layout_.haproxy_config(), "-db"};
  Start(h);
  cluster::HaproxyRuntime runtime(layout_.haproxy_socket());
  cli::CheckOk(supervisor_.WaitUntilReady("haproxy", [&] { return runtime.Execute("show info").ok(); }, deadline()),
               "haproxy");
  std::vector<std::string> names;
  for (const auto* s : record_.Servers()) {
    cluster::ServerCheckOptions checks;
    checks.agent_interval_ms = record_.agent_interval_ms;
    cli::CheckOk(runtime.AddServer(record_.backend, {s->name, o_.host, s->port, s->agent_port}, checks),
                 "add " + s->name + " to haproxy");
    names.push_back(s->name);
  }
  cli::CheckOk(runtime.WaitForServersUp(record_.backend, names, deadline()), "haproxy");
}

// Last: it reads and rewrites cluster.json, which `s3ml up` no longer touches once this runs.
void ClusterStarter::StartAutoscaler() {
  if (o_.autoscale.empty()) return;
  cluster::ComponentRecord a;
  a.name = "autoscaler";
  a.kind = "autoscaler";
  a.argv = {self_exe_, "autoscale", "--state-dir", layout_.root, "--metric", o_.autoscale,
            "--min", std::to_string(o_.min_servers > 0 ? o_.min_servers : o_.servers),
            "--max", std::to_string(o_.max_servers > 0 ? o_.max_servers : 2 * o_.servers),
            "--period-seconds", FormatNumber(o_.scale_period),
            "--scale-down-window", std::to_string(o_.scale_down_window)};
  if (o_.scale_target > 0) {
    a.argv.push_back("--target");
    a.argv.push_back(FormatNumber(o_.scale_target));
  }
  a.ready_log_line = "autoscaler running";
  Start(a);
  WaitReady(a);
}

void ClusterStarter::PrintSummary() const {
  const std::string service = "https://localhost:" + std::to_string(record_.service_port);
  std::printf("s3ml cluster up (%d servers) in %s\n", o_.servers, layout_.root.c_str());
  for (const auto& h : record_.hosts) {
    const auto* e = record_.Find(h.exporter);
    std::printf("EPC host:    %s  (%.1f MiB, s3ml-epcd http://%s:%u/metrics, servers", h.name.c_str(), h.capacity_mib,
                record_.host.c_str(), e != nullptr ? e->port : 0);
    for (const auto* s : record_.ServersOn(h.name)) std::printf(" %s", s->name.c_str());
    std::printf(")\n");
  }
  std::printf("service:     %s  (HAProxy, TLS passthrough to the enclaves)\n", service.c_str());
  std::printf("ECS:         %s  (MRSIGNER %s, ISVPRODID %u)\n", record_.ecs_url().c_str(), record_.ecs_mrsigner.c_str(),
              kEcsProdId);
  std::printf("root CA:     %s  (attested from the ECS; pin it)\n", layout_.root_ca().c_str());
  std::printf("models:     ");
  for (const auto& m : record_.models) std::printf(" %s", m.c_str());
  std::printf("\ntry:         curl --cacert %s %s/v2/models/%s\n", layout_.root_ca().c_str(), service.c_str(),
              record_.models.front().c_str());
  std::printf("             s3ml attest --ecs %s --expect-mrsigner %s --allow-sim --sim-root %s --collateral %s/collateral\n",
              record_.ecs_url().c_str(), record_.ecs_mrsigner.c_str(), sim_root_.c_str(), layout_.sim().c_str());
  std::printf("             s3ml predict --service %s --cacert %s --model %s --image IMAGE\n", service.c_str(),
              layout_.root_ca().c_str(), record_.models.front().c_str());
  std::printf("logs:        %s/<component>.log; state: s3ml status --state-dir %s\n", layout_.logs().c_str(),
              layout_.root.c_str());
  std::printf("stop with:   s3ml down --state-dir %s\n", layout_.root.c_str());
}

void ClusterStarter::RunSteps() {
  deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(o_.timeout_seconds);
  std::error_code ec;
  self_exe_ = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) throw cli::CommandFailed(1, "cannot read /proc/self/exe: " + ec.message());
  self_dir_ = cli::ValueOrFail(cluster::SelfDirectory(), "self");
  ecs_binary_ = cli::ValueOrFail(cluster::ExecutableIn(self_dir_, "s3ml-ecs"), "s3ml-ecs");
  server_binary_ = cli::ValueOrFail(cluster::ExecutableIn(self_dir_, "s3ml-server"), "s3ml-server");
  if (o_.hosts > 0) epcd_binary_ = cli::ValueOrFail(cluster::ExecutableIn(self_dir_, "s3ml-epcd"), "s3ml-epcd");
  cli::ValueOrFail(cluster::FindExecutable("haproxy"), "haproxy");
  models_ = FindModels(o_, self_dir_);

  for (const auto& name : supervisor_.Tracked()) {
    if (supervisor_.Inspect(name).alive)
      throw cli::CommandFailed(1, "a cluster is already running in " + layout_.root + " (" + name +
                                      " is alive); see `s3ml status`, stop it with `s3ml down`");
  }
  fs::create_directories(layout_.root, ec);
  if (ec) throw cli::CommandFailed(1, "cannot create " + layout_.root + ": " + ec.message());
  fs::permissions(layout_.root, fs::perms::owner_all, fs::perm_options::replace, ec);

  ports_ = cli::ValueOrFail(cluster::ReservePorts(o_.host, static_cast<uint16_t>(o_.base_port),
                                                      static_cast<size_t>(2 + 3 * o_.servers + o_.hosts)),
                            "ports (choose another --base-port, or 0 for any free ports)");
  record_.host = o_.host;
  record_.agent_interval_ms = o_.agent_interval_ms;
  record_.service_port = ports_[0];
  record_.ecs_port = ports_[1];

  std::printf("starting the simulated SGX host, ECS, %d servers and HAProxy in %s ...\n", o_.servers,
              layout_.root.c_str());
  std::fflush(stdout);
  PrepareSimHost();
  PrepareEnclaves();
  StartEcs();
  ConfigureEcs();
  cli::CheckOk(cluster::SaveClusterRecord(layout_, record_), "cluster record");
  CreateEmulatedHosts();
  StartServers();
  StartHaproxy();
  cli::CheckOk(cluster::SaveClusterRecord(layout_, record_), "cluster record");
  StartAutoscaler();
  PrintSummary();
}

void Up(const Options& o) {
  if (o.servers < 1 || o.servers > 64) throw cli::CommandFailed(2, "--servers must be in 1..64");
  if (o.base_port < 0 || o.base_port > 65535) throw cli::CommandFailed(2, "--base-port must be in 0..65535");
  if (o.hosts < 0 || o.hosts > cluster::kMaxEmulatedHosts)
    throw cli::CommandFailed(2, "--hosts must be in 1.." + std::to_string(cluster::kMaxEmulatedHosts));
  if (!(o.epc_mib >= 1 && o.epc_mib <= 64 * 1024)) throw cli::CommandFailed(2, "--epc-mib must be in 1..65536");
  if (!(o.epc_low >= 0 && o.epc_low < o.epc_critical && std::isfinite(o.epc_critical)))
    throw cli::CommandFailed(2, "--epc-low and --epc-critical must satisfy 0 <= low < critical (pages/s)");
  if (!o.agent_policy.empty() && o.agent_policy != "epc" && o.agent_policy != "static")
    throw cli::CommandFailed(2, "--agent-policy must be epc or static");
  if (o.agent_policy == "epc" && o.hosts == 0) throw cli::CommandFailed(2, "--agent-policy epc needs --hosts K");
  if (o.epc_sample_ms < 50 || o.epc_sample_ms > 60000) throw cli::CommandFailed(2, "--epc-sample-ms must be in 50..60000");
  if (o.agent_interval_ms < 50 || o.agent_interval_ms > 60000)
    throw cli::CommandFailed(2, "--agent-interval-ms must be in 50..60000");
  if (!o.autoscale.empty()) {
    if (o.autoscale != "epc" && o.autoscale != "cpu") throw cli::CommandFailed(2, "--autoscale must be epc or cpu");
    if (o.hosts == 0) throw cli::CommandFailed(2, "--autoscale needs emulated hosts (--hosts K)");
  }
  ClusterStarter starter(o, cluster::ClusterLayout(cli::ResolveStateDir(o.state_dir)));
  starter.Run();
}

void Setup(CLI::App& app) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("up", "Start a local secure serving cluster (simulated SGX): ECS, servers, HAProxy");
  cmd->add_option("--servers", o->servers, "Number of model servers (default 2)");
  cmd->add_option("--models", o->models_dir,
                  "Directory of *.tflite models (labels: <stem>.labels.txt or labels.txt); default: bundled MobileNet v2");
  cli::AddStateDirFlag(cmd, &o->state_dir);
  cmd->add_option("--base-port", o->base_port,
                  "Service port; the ECS uses +1 and servers the ports after it (0: any free ports; default 8443)");
  cmd->add_option("--host", o->host, "Loopback or host IP address to listen on (default 127.0.0.1)");
  cmd->add_option("--timeout", o->timeout_seconds, "Seconds to wait for everything to be ready (default 120)");
  cmd->add_option("--hosts", o->hosts,
                  "Emulate K SGX hosts, each its own simulated EPC with an s3ml-epcd; servers spread over them "
                  "with EPC-aware HAProxy weights (default: none, no simulated EPC)");
  cmd->add_option("--epc-mib", o->epc_mib, "EPC capacity of each emulated host in MiB (default 93.5)");
  cmd->add_option("--epc-low", o->epc_low, "Host paging rate (pages/s) up to which servers keep full weight (default 100)");
  cmd->add_option("--epc-critical", o->epc_critical, "Host paging rate (pages/s) from which servers drain (default 1000)");
  cmd->add_option("--agent-policy", o->agent_policy,
                  "What servers answer HAProxy's agent check: epc (weight from the host's paging rate; the default "
                  "with --hosts) | static (up 100%: plain round robin)");
  cmd->add_option("--epc-sample-ms", o->epc_sample_ms, "Servers' EPC sampling interval, ms (default 1000)");
  cmd->add_option("--agent-interval-ms", o->agent_interval_ms, "HAProxy agent-check interval, ms (default 1000)");
  cmd->add_option("--autoscale", o->autoscale,
                  "Run the autoscaler (needs --hosts): epc (host paging rate per replica, s3ml's policy) | cpu "
                  "(CPU use per replica, what a default HPA does)");
  cmd->add_option("--min-servers", o->min_servers, "Autoscaler: fewest servers (default --servers)");
  cmd->add_option("--max-servers", o->max_servers, "Autoscaler: most servers (default 2 x --servers)");
  cmd->add_option("--scale-target", o->scale_target,
                  "Autoscaler target per replica: pages/s (epc, default 500) or percent of a core (cpu, default 50)");
  cmd->add_option("--scale-period", o->scale_period, "Autoscaler sync period, seconds (default 15)");
  cmd->add_option("--scale-down-window", o->scale_down_window, "Autoscaler scale-down stabilisation, seconds (default 300)");
  cmd->callback([o] { Up(*o); });
}

const cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
