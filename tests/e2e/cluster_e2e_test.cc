// End to end: one `s3ml up` cluster (ECS + 2 servers + HAProxy on the simulated platform), then
// everything a user and an attacker on the host can do to it, through real processes on loopback.
// Tests run in order against the same cluster; the destructive ones (SIGKILL, restart) come last.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include <gtest/gtest.h>

#include "client/ecs_attest_flags.h"
#include "client/ecs_client.h"
#include "client/inference_client.h"
#include "client/input_loader.h"
#include "client/owner_keys.h"
#include "cluster/executable_lookup.h"
#include "cluster/port_plan.h"
#include "core/clock.h"
#include "core/file.h"
#include "tests/e2e/e2e_cluster.h"

namespace s3ml::e2e {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

constexpr char kModel[] = "mobilenet_v2";
constexpr int kChickadee = 20;     // bird.rgb
constexpr int kEgyptianCat = 286;  // cat.bmp

std::string CurlPath() { return cluster::FindExecutable("curl").value(); }

std::string ReadAll(const std::string& path) {
  auto text = ReadFileText(path, 64u << 20);
  return text.ok() ? *text : "";
}

std::vector<uint8_t> ImageTensor(const std::string& image) {
  engine::TensorInfo input;
  input.type = engine::DataType::kUInt8;
  input.shape = {1, 224, 224, 3};
  auto bytes = client::LoadInputTensor(TestdataDir() + "/" + image, input, client::PixelNormalization{});
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? *bytes : std::vector<uint8_t>(224 * 224 * 3);
}

template <typename T>
int ArgMax(const std::vector<T>& v) {
  return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

class ClusterE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    missing_ = MissingPrerequisite();
    if (!missing_.empty()) return;
    auto started = E2eCluster::Start(2);
    if (!started.ok()) {
      start_error_ = started.status().ToString();
      return;
    }
    cluster_ = std::move(started).value();
  }
  static void TearDownTestSuite() { cluster_.reset(); }

  void SetUp() override {
    if (!missing_.empty()) FAIL() << "not built or not installed (`make` builds and installs everything): " << missing_;
    ASSERT_NE(cluster_, nullptr) << start_error_;
  }

  E2eCluster& c() { return *cluster_; }

  std::string InputName() {
    std::string body;
    EXPECT_EQ(c().Curl("GET", std::string("/v2/models/") + kModel, "", &body), 200) << body;
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.contains("inputs") || j["inputs"].empty()) return "input";
    return j["inputs"][0]["name"].get<std::string>();
  }

  std::string WriteBody(const std::string& name, const std::string& text) {
    const std::string path = c().dir() + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  json V2JsonRequest(const std::vector<uint8_t>& tensor, const std::string& id = "") {
    json input = {{"name", InputName()}, {"shape", {1, 224, 224, 3}}, {"datatype", "UINT8"}, {"data", tensor}};
    json req = {{"inputs", json::array({input})}};
    if (!id.empty()) req["id"] = id;
    return req;
  }

  // POST a v2 JSON infer through HAProxy with curl; returns the first output's data.
  std::vector<int> CurlV2Infer(const std::vector<uint8_t>& tensor, int* code = nullptr) {
    std::string body;
    const int http = c().Curl("POST", std::string("/v2/models/") + kModel + "/infer",
                              WriteBody("v2.json", V2JsonRequest(tensor).dump()), &body);
    if (code) *code = http;
    EXPECT_EQ(http, 200) << body.substr(0, 500);
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.contains("outputs")) return {};
    return j["outputs"][0]["data"].get<std::vector<int>>();
  }

  std::unique_ptr<client::InferenceClient> NewClient(int attempts = 3) {
    client::InferenceClientOptions options;
    options.endpoints = {c().service_url()};
    options.root_ca_pem = ReadAll(c().root_ca());
    options.max_attempts = attempts;
    options.retry_delay = 50ms;
    auto client = client::InferenceClient::Create(options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }

  static client::V2InferCall BirdCall() {
    client::V2InferCall call;
    client::V2Tensor t;
    t.name = "";
    t.datatype = "UINT8";
    t.shape = {1, 224, 224, 3};
    auto bytes = ReadFileBytes(TestdataDir() + "/bird.rgb");
    t.data = bytes.ok() ? *bytes : std::vector<uint8_t>();
    call.inputs.push_back(std::move(t));
    return call;
  }

  client::V2InferCall BirdCallNamed() {
    auto call = BirdCall();
    call.inputs[0].name = InputName();
    return call;
  }

  // The ECS audit log, read as the owner (attesting the ECS first).
  std::vector<client::AuditEntry> Audit() {
    client::EcsAttestFlags flags;
    flags.ecs_url = c().record().ecs_url();
    flags.expect_mrsigner = c().record().ecs_mrsigner;
    flags.collateral.directory = c().layout().sim() + "/collateral";
    flags.allow_sim = true;
    flags.sim_root_path = c().layout().sim() + "/certs/root_ca.pem";
    auto options = client::EcsAttestationOptionsFrom(flags, &SystemClock::Get());
    EXPECT_TRUE(options.ok()) << options.status().ToString();
    if (!options.ok()) return {};
    auto owner = client::LoadOwnerKeys(c().layout().owner());
    EXPECT_TRUE(owner.ok()) << owner.status().ToString();
    if (!owner.ok()) return {};
    auto ecs = client::EcsClient::Connect(*options, &*owner);
    EXPECT_TRUE(ecs.ok()) << ecs.status().ToString();
    if (!ecs.ok()) return {};
    auto audit = (*ecs)->ReadAudit();
    EXPECT_TRUE(audit.ok()) << audit.status().ToString();
    return audit.ok() ? *audit : std::vector<client::AuditEntry>{};
  }

  static int CountEvents(const std::vector<client::AuditEntry>& entries, const std::string& event) {
    return static_cast<int>(std::count_if(entries.begin(), entries.end(), [&](const auto& e) { return e.event == event; }));
  }

  bool WaitForHaproxyState(const std::string& server, bool want_up, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto states = c().haproxy().ServersState(c().record().backend);
      if (states.ok()) {
        for (const auto& s : *states)
          if (s.name == server && (s.up() && !s.in_maintenance()) == want_up) return true;
      }
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  static inline std::unique_ptr<E2eCluster> cluster_;
  static inline std::string missing_;
  static inline std::string start_error_;
};

TEST_F(ClusterE2eTest, UpPrintsTheServiceEcsRootAndACurlLine) {
  const std::string& out = c().up_output();
  EXPECT_NE(out.find(c().service_url()), std::string::npos) << out;
  EXPECT_NE(out.find(c().record().ecs_url()), std::string::npos) << out;
  EXPECT_NE(out.find("curl --cacert " + c().root_ca()), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(c().root_ca()));
  CommandResult status = RunCommand({BinDir() + "/s3ml", "status", "--state-dir", c().dir()});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("server-2"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("UP"), std::string::npos) << status.output;
}

TEST_F(ClusterE2eTest, CurlWithThePinnedRootGetsCorrectLabels) {
  EXPECT_EQ(ArgMax(CurlV2Infer(ImageTensor("cat.bmp"))), kEgyptianCat);
  auto bird = ReadFileBytes(TestdataDir() + "/bird.rgb");
  ASSERT_TRUE(bird.ok());
  EXPECT_EQ(ArgMax(CurlV2Infer(*bird)), kChickadee);
  // Without the pinned root, curl refuses the service certificate.
  CommandResult r = RunCommand({CurlPath(), "-sS", "--max-time", "10", c().service_url() + "/v2/health/ready"});
  EXPECT_NE(r.exit_code, 0) << r.output;
}

TEST_F(ClusterE2eTest, ClientLibraryAndPredictCommandGetCorrectLabels) {
  auto client = NewClient();
  ASSERT_NE(client, nullptr);
  auto result = client->Infer(kModel, "", BirdCallNamed());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_FALSE(result->outputs.empty());
  EXPECT_EQ(ArgMax(result->outputs[0].data), kChickadee);

  for (const auto& [image, label] : {std::pair<std::string, std::string>{"cat.bmp", "Egyptian cat"},
                                     {"bird.rgb", "chickadee"}}) {
    CommandResult predict = RunCommand({BinDir() + "/s3ml", "predict", "--service", c().service_url(), "--cacert",
                                        c().root_ca(), "--model", kModel, "--image", TestdataDir() + "/" + image,
                                        "--labels", TestdataDir() + "/imagenet_labels.txt", "--top", "3"});
    EXPECT_EQ(predict.exit_code, 0) << predict.output;
    EXPECT_NE(predict.output.find(label), std::string::npos) << image << ": " << predict.output;
  }

  // Without --labels the enclave names the classes from the model's sealed labels file (the
  // classification extension); JSON tensors and output, a pinned version.
  CommandResult named = RunCommand({BinDir() + "/s3ml", "predict", "--service", c().service_url(), "--cacert",
                                    c().root_ca(), "--model", kModel, "--version", "1", "--image",
                                    TestdataDir() + "/bird.rgb", "--top", "2", "--json-tensors", "--json"});
  ASSERT_EQ(named.exit_code, 0) << named.output;
  const json answer = json::parse(named.output, nullptr, false);
  ASSERT_TRUE(answer.is_object()) << named.output;
  EXPECT_EQ(answer["model_version"], "1");
  ASSERT_EQ(answer["top"].size(), 2u) << named.output;
  EXPECT_EQ(answer["top"][0]["index"], kChickadee);
  EXPECT_EQ(answer["top"][0]["label"], "chickadee");
  EXPECT_GT(answer["top"][0]["score"].get<double>(), 0.9);

  // Trusting the service by attesting the ECS in the same call instead of a pinned root; an ECS
  // of another signer than expected is refused before any image is sent.
  auto attested = [&](const std::string& mrsigner) {
    return RunCommand({BinDir() + "/s3ml", "predict", "--service", c().service_url(), "--model", kModel, "--image",
                       TestdataDir() + "/cat.bmp", "--top", "1", "--ecs", c().record().ecs_url(), "--expect-mrsigner",
                       mrsigner, "--collateral", c().layout().sim() + "/collateral", "--allow-sim", "--sim-root",
                       c().layout().sim() + "/certs/root_ca.pem"});
  };
  CommandResult via_ecs = attested(c().record().ecs_mrsigner);
  EXPECT_EQ(via_ecs.exit_code, 0) << via_ecs.output;
  EXPECT_NE(via_ecs.output.find("Egyptian cat"), std::string::npos) << via_ecs.output;
  CommandResult impostor = attested(std::string(64, 'a'));
  EXPECT_NE(impostor.exit_code, 0) << impostor.output;
  EXPECT_NE(impostor.output.find("ECS attestation failed"), std::string::npos) << impostor.output;
}

TEST_F(ClusterE2eTest, V1AndV2Agree) {
  auto bird = ReadFileBytes(TestdataDir() + "/bird.rgb");
  ASSERT_TRUE(bird.ok());
  const std::vector<int> v2 = CurlV2Infer(*bird);
  ASSERT_EQ(v2.size(), 1001u);

  json image = json::array();
  for (int y = 0; y < 224; ++y) {
    json row = json::array();
    for (int x = 0; x < 224; ++x) {
      const size_t i = (static_cast<size_t>(y) * 224 + x) * 3;
      row.push_back({(*bird)[i], (*bird)[i + 1], (*bird)[i + 2]});
    }
    image.push_back(std::move(row));
  }
  std::string body;
  const int code = c().Curl("POST", std::string("/v1/models/") + kModel + ":predict",
                            WriteBody("v1.json", json{{"instances", json::array({image})}}.dump()), &body);
  ASSERT_EQ(code, 200) << body.substr(0, 500);
  json j = json::parse(body, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  ASSERT_TRUE(j.contains("predictions")) << body.substr(0, 300);
  json first = j["predictions"][0];
  if (first.is_object()) first = first.begin().value();  // several outputs: {"name": values}
  EXPECT_EQ(first.get<std::vector<int>>(), v2);
}

// Every refusal, whichever layer makes it (HTTP limits, the codec, the model store), has the same
// body: {"error": "<reason>"}, so clients can show why.
void ExpectJsonError(const std::string& body, const std::string& what) {
  const json j = json::parse(body, nullptr, false);
  ASSERT_TRUE(j.is_object() && j.contains("error") && j["error"].is_string()) << what << ": " << body;
  EXPECT_FALSE(j["error"].get<std::string>().empty()) << what;
}

TEST_F(ClusterE2eTest, BadRequestsGetTheRight4xxAndTheServiceKeepsServing) {
  const std::string infer = std::string("/v2/models/") + kModel + "/infer";
  std::string body;
  EXPECT_EQ(c().Curl("POST", infer, WriteBody("bad1.json", "{\"inputs\": [ {not json"), &body), 400) << body;
  ExpectJsonError(body, "malformed JSON");

  json wrong_shape = {{"inputs", {{{"name", InputName()}, {"shape", {1, 10}}, {"datatype", "UINT8"},
                                   {"data", std::vector<int>(10, 0)}}}}};
  EXPECT_EQ(c().Curl("POST", infer, WriteBody("bad2.json", wrong_shape.dump()), &body), 400) << body;
  ExpectJsonError(body, "wrong shape");

  json wrong_dtype = {{"inputs", {{{"name", InputName()}, {"shape", {1, 224, 224, 3}}, {"datatype", "FP32"},
                                   {"data", std::vector<float>(224 * 224 * 3, 0.5f)}}}}};
  EXPECT_EQ(c().Curl("POST", infer, WriteBody("bad3.json", wrong_dtype.dump()), &body), 400) << body;
  ExpectJsonError(body, "wrong dtype");

  EXPECT_EQ(c().Curl("POST", "/v2/models/no_such_model/infer", WriteBody("ok.json", V2JsonRequest({}).dump()), &body),
            404)
      << body;
  ExpectJsonError(body, "unknown model");
  EXPECT_EQ(c().Curl("GET", std::string("/v2/models/") + kModel + "/versions/99", "", &body), 404) << body;
  ExpectJsonError(body, "metadata of an unknown version");
  EXPECT_EQ(c().Curl("POST", std::string("/v2/models/") + kModel + "/versions/99/infer",
                     WriteBody("v99.json", V2JsonRequest({}).dump()), &body),
            404)
      << body;
  ExpectJsonError(body, "inference on an unknown version");

  // Over the server's 16 MiB body limit.
  const std::string big = c().dir() + "/big.json";
  {
    std::ofstream out(big, std::ios::binary);
    out << "{\"inputs\": [{\"data\": [";
    const std::string chunk(1 << 20, ' ');
    for (int i = 0; i < 17; ++i) out << chunk;
    out << "]}]}";
  }
  EXPECT_EQ(c().Curl("POST", infer, big, &body), 413) << body;
  ExpectJsonError(body, "oversized body");

  auto bird = ReadFileBytes(TestdataDir() + "/bird.rgb");
  ASSERT_TRUE(bird.ok());
  EXPECT_EQ(ArgMax(CurlV2Infer(*bird)), kChickadee) << "still serving after bad requests";
}

TEST_F(ClusterE2eTest, RepositoryHoldsNoPlaintextModelBytes) {
  auto plain = ReadFileBytes(TestdataDir() + "/mobilenet_v2_1.0_224_quant.tflite");
  ASSERT_TRUE(plain.ok());
  std::vector<std::string> slices;
  for (size_t at : {plain->size() / 5, plain->size() / 2, plain->size() * 4 / 5})
    slices.emplace_back(reinterpret_cast<const char*>(plain->data()) + at, 64);
  // The labels are sealed too: no label line in the clear.
  slices.emplace_back("tabby, tabby cat");
  int files = 0;
  for (const auto& dir : {c().layout().repository(), c().layout().ecs_state()}) {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      ++files;
      const std::string bytes = ReadAll(entry.path().string());
      for (const auto& slice : slices)
        EXPECT_EQ(bytes.find(slice), std::string::npos) << entry.path() << " holds plaintext model bytes or labels";
    }
  }
  EXPECT_GT(files, 2);
  EXPECT_TRUE(fs::exists(c().layout().repository() + "/" + kModel + "/1/model.tflite.s3ml"));
  EXPECT_TRUE(fs::exists(c().layout().repository() + "/" + kModel + "/1/labels.txt.s3ml"));
}

TEST_F(ClusterE2eTest, MetricsPageHoldsNoRequestData) {
  const std::string secret_id = "e2e-secret-request-7f3a9c";
  std::string body;
  auto bird = ReadFileBytes(TestdataDir() + "/bird.rgb");
  ASSERT_TRUE(bird.ok());
  for (int i = 0; i < 2; ++i)  // both servers see it (round robin)
    EXPECT_EQ(c().Curl("POST", std::string("/v2/models/") + kModel + "/infer",
                       WriteBody("id.json", V2JsonRequest(*bird, secret_id).dump()), &body),
              200);
  EXPECT_NE(body.find(secret_id), std::string::npos) << "the answer echoes the id";
  for (const auto* server : c().record().Servers()) {
    CommandResult metrics = RunCommand({CurlPath(), "-sS", "--max-time", "10",
                                        "http://127.0.0.1:" + std::to_string(server->metrics_port) + "/metrics"});
    ASSERT_EQ(metrics.exit_code, 0) << metrics.output;
    EXPECT_NE(metrics.output.find("# TYPE"), std::string::npos) << metrics.output.substr(0, 300);
    EXPECT_EQ(metrics.output.find(secret_id), std::string::npos);
    EXPECT_EQ(metrics.output.find("chickadee"), std::string::npos);
    EXPECT_EQ(metrics.output.find("PRIVATE KEY"), std::string::npos);
  }
}

// Starts a copy of server-1's program with one byte appended (another MRENCLAVE) on fresh ports
// and waits for it to exit. `signer_key`: sign the copy with this key ("" = leave it unsigned).
CommandResult RunModifiedServer(E2eCluster& c, const std::string& name, const std::string& signer_key,
                                uint16_t* listen_port) {
  const auto* server = c.record().Find("server-1");
  const std::string dir = c.dir() + "/" + name;
  fs::create_directories(dir);
  const std::string exe = dir + "/s3ml-server";
  fs::copy_file(server->argv[0], exe);
  fs::copy_file(server->argv[0] + ".enclave.json", exe + ".enclave.json");
  { std::ofstream(exe, std::ios::app | std::ios::binary) << '\0'; }
  if (!signer_key.empty()) {
    CommandResult sign = RunCommand({BinDir() + "/s3ml", "sim", "sign", "--key", signer_key, "--binary", exe,
                                     "--isvprodid", "1", "--isvsvn", "1"});
    EXPECT_EQ(sign.exit_code, 0) << sign.output;
  }
  auto ports = cluster::ReservePorts("127.0.0.1", 0, 3);
  EXPECT_TRUE(ports.ok());
  std::vector<std::string> command = {"/usr/bin/env"};
  for (const auto& e : server->env) command.push_back(e);
  command.push_back(exe);
  for (size_t i = 1; i < server->argv.size(); ++i) {
    const std::string& prev = server->argv[i - 1];
    std::string arg = server->argv[i];
    if (prev == "--listen") arg = "127.0.0.1:" + std::to_string((*ports)[0]);
    if (prev == "--metrics") arg = "127.0.0.1:" + std::to_string((*ports)[1]);
    if (prev == "--agent") arg = "127.0.0.1:" + std::to_string((*ports)[2]);
    command.push_back(arg);
  }
  *listen_port = (*ports)[0];
  return RunCommand(command, 60);
}

TEST_F(ClusterE2eTest, ModifiedServerBinaryIsRefusedAndNeverJoins) {
  ASSERT_NE(c().record().Find("server-1"), nullptr);
  const int refused_before = CountEvents(Audit(), "provision_refused");

  // Unsigned: like SGX without a SIGSTRUCT, the (simulated) platform will not even quote it.
  uint16_t port = 0;
  CommandResult unsigned_run = RunModifiedServer(c(), "unsigned", "", &port);
  EXPECT_NE(unsigned_run.exit_code, 0) << unsigned_run.output;
  EXPECT_NE(unsigned_run.output.find("unsigned"), std::string::npos) << unsigned_run.output;
  EXPECT_FALSE(cluster::TcpPortAccepts("127.0.0.1", port)) << "it never listened";

  // Signed by someone else's key: it attests, and the ECS refuses it by the manifest's signer rule.
  const std::string attacker_key = c().dir() + "/attacker.key.pem";
  CommandResult keygen = RunCommand({BinDir() + "/s3ml", "sim", "keygen", "--out", attacker_key});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.output;
  CommandResult foreign = RunModifiedServer(c(), "foreign", attacker_key, &port);
  EXPECT_NE(foreign.exit_code, 0) << foreign.output;
  EXPECT_NE(foreign.output.find("refused"), std::string::npos) << foreign.output;
  EXPECT_FALSE(cluster::TcpPortAccepts("127.0.0.1", port)) << "it never listened";
  EXPECT_EQ(CountEvents(Audit(), "provision_refused"), refused_before + 1);

  auto states = c().haproxy().ServersState(c().record().backend);
  ASSERT_TRUE(states.ok());
  EXPECT_EQ(states->size(), 2u) << "only the cluster's own servers are in HAProxy";
}

// Destructive: SIGKILL server-1 under load, then restart it.
TEST_F(ClusterE2eTest, SigkillUnderLoadLosesNoRequestAndARestartedServerRejoins) {
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::string> errors;
  std::mutex errors_mu;
  const auto call = BirdCallNamed();
  std::vector<std::thread> load;
  for (int t = 0; t < 2; ++t) {
    load.emplace_back([&] {
      auto client = NewClient(5);
      if (!client) return;
      while (!stop) {
        auto result = client->Infer(kModel, "", call);
        if (result.ok() && !result->outputs.empty() && ArgMax(result->outputs[0].data) == kChickadee) {
          ++ok;
        } else {
          ++failed;
          std::lock_guard<std::mutex> lock(errors_mu);
          errors.push_back(result.ok() ? "wrong answer" : result.status().ToString());
        }
      }
    });
  }
  std::this_thread::sleep_for(1s);
  const int before_kill = ok.load();
  ASSERT_TRUE(c().supervisor().Signal("server-1", SIGKILL).ok());
  EXPECT_TRUE(WaitForHaproxyState("server-1", /*want_up=*/false, 5s)) << "HAProxy marks the killed server down";
  std::this_thread::sleep_for(1s);
  stop = true;
  for (auto& t : load) t.join();
  EXPECT_EQ(failed.load(), 0) << (errors.empty() ? "" : errors.front());
  EXPECT_GT(before_kill, 0);
  EXPECT_GT(ok.load(), before_kill) << "requests kept succeeding after the kill";

  // Restart: it provisions again from the ECS and HAProxy's health check brings it back.
  const int provisions = CountEvents(Audit(), "provision");
  const auto* server = c().record().Find("server-1");
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(c().supervisor().Start({server->name, server->argv, server->env}).ok());
  Status ready = c().supervisor().WaitForLogLine("server-1", server->ready_log_line, 60s);
  ASSERT_TRUE(ready.ok()) << ready.ToString();
  EXPECT_TRUE(WaitForHaproxyState("server-1", /*want_up=*/true, 10s));
  EXPECT_EQ(CountEvents(Audit(), "provision"), provisions + 1);
  auto client = NewClient();
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 4; ++i) {
    auto result = client->Infer(kModel, "", call);
    ASSERT_TRUE(result.ok()) << result.status().ToString();
  }
}

// A step that fails (here HAProxy, replaced by a program that exits at once) makes `s3ml up` stop
// everything it started and show the failing process's log.
TEST(UpFailureE2eTest, FailedStepStopsEverythingAndShowsTheLog) {
  const std::string missing = MissingPrerequisite();
  if (!missing.empty()) FAIL() << "not built or not installed (`make` builds and installs everything): " << missing;
  char pattern[] = "/tmp/s3ml-e2e-fail-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  fs::create_directories(dir + "/fakebin");
  { std::ofstream(dir + "/fakebin/haproxy") << "#!/bin/sh\necho 'fake haproxy: cannot bind socket' >&2\nexit 1\n"; }
  fs::permissions(dir + "/fakebin/haproxy", fs::perms::owner_all);
  const char* path = std::getenv("PATH");
  CommandResult up = RunCommand({"/usr/bin/env", "PATH=" + dir + "/fakebin:" + (path ? path : "/usr/bin:/bin"),
                                 BinDir() + "/s3ml", "up", "--state-dir", dir + "/state", "--base-port", "0"},
                                120);
  EXPECT_EQ(up.exit_code, 1) << up.output;
  EXPECT_NE(up.output.find("fake haproxy: cannot bind socket"), std::string::npos) << up.output;
  cluster::ProcessSupervisor supervisor(dir + "/state");
  EXPECT_TRUE(supervisor.Tracked().empty()) << "no pid file (no process) is left behind";
  CommandResult status = RunCommand({BinDir() + "/s3ml", "status", "--state-dir", dir + "/state"});
  EXPECT_NE(status.exit_code, 0) << status.output;
  RunCommand({BinDir() + "/s3ml", "down", "--state-dir", dir + "/state"});
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace s3ml::e2e
