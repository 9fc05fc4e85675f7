// s3ml-server as a real process on loopback: a simulated SGX host (authority made at the real
// time, since the server uses the system clock, and a quoting daemon on a thread), the server
// binary copied beside its enclave.json and signed like `s3ml sim sign`, and the in-process
// FakeEcs (fake_ecs.h says what it replaces) as its ECS. Checks boot -> "server listening",
// inference over the provisioned certificate, the agent port, SIGTERM -> "drain" on the agent, a
// request in flight still answered, exit 0, an ECS refusal -> exit 3 with the reason, and an ECS
// of another identity -> exit 4. With --epc-host and --agent-policy epc: engine memory on a
// simulated EPC host, s3ml_epc_* metrics, and an agent answer that leaves "up 100%" while a noisy
// neighbour makes the host page (drain still wins).
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "core/hex.h"
#include "engine/model.h"
#include "net/http_client.h"
#include "tee/sim/sim_authority.h"
#include "tests/attest/ratls/ratls_test_env.h"
#include "tests/net/test_server.h"
#include "tests/serving/fake_ecs.h"
#include "tests/serving/served_model_fixture.h"
#include "tests/tee/epc/epc_test_host.h"
#include "tests/tee/sim_test_env.h"
#include "tee/epc/enclave_memory.h"

namespace s3ml::serving {
namespace {

namespace tt = tee::testing;
using nlohmann::json;

// A child process with its stderr captured; killed on destruction if still running.
class ServerProcess {
 public:
  ServerProcess(const std::vector<std::string>& argv, const std::string& qe_socket) {
    int pipe_fds[2];
    EXPECT_EQ(pipe(pipe_fds), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(pipe_fds[1], STDERR_FILENO);
      close(pipe_fds[0]);
      close(pipe_fds[1]);
      setenv("S3ML_SIM_QE_SOCKET", qe_socket.c_str(), 1);
      std::vector<char*> args;
      for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(pipe_fds[1]);
    stderr_fd_ = pipe_fds[0];
  }
  ~ServerProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stderr_fd_ >= 0) close(stderr_fd_);
  }

  // Reads stderr until a line containing `needle` (returns it) or EOF / timeout (nullopt).
  std::optional<std::string> WaitForLine(const std::string& needle, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      size_t newline;
      while ((newline = buffer_.find('\n', scanned_)) != std::string::npos) {
        std::string line = buffer_.substr(scanned_, newline - scanned_);
        scanned_ = newline + 1;
        if (line.find(needle) != std::string::npos) return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !ReadSome(static_cast<int>(left.count()))) return std::nullopt;
    }
  }
  // Waits for the exit and returns its code (-1 on timeout or a signal); reads the rest of stderr.
  int Wait(std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      ReadSome(50);
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        while (ReadSome(50)) {
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
    }
    return -1;
  }
  void Signal(int signal_number) { kill(pid_, signal_number); }
  const std::string& output() const { return buffer_; }

 private:
  bool ReadSome(int timeout_ms) {
    pollfd fd{stderr_fd_, POLLIN, 0};
    if (poll(&fd, 1, timeout_ms) <= 0) return false;
    char chunk[4096];
    const ssize_t n = read(stderr_fd_, chunk, sizeof(chunk));
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  bool exited_ = false;
  std::string buffer_;
  size_t scanned_ = 0;
};

uint16_t PortOf(const std::string& line) { return static_cast<uint16_t>(std::stoi(line.substr(line.rfind(':') + 1))); }

class ServerProcessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new tt::TempDir();
    auto authority = tee::sim::SimAuthority::Create(dir_->Sub("sim"), tee::sim::SimInitOptions{}, SystemClock::Get());
    ASSERT_TRUE(authority.ok()) << authority.status().ToString();
    collateral_ = new attest::Collateral(tt::LoadSimCollateral(authority.value()));
    anchors_ = new attest::TrustAnchors(tt::SimAnchors(authority.value()));
    ASSERT_TRUE(WriteFileAtomic(dir_->Sub("sim_root.pem"),
                                AsBytes(authority.value().root_certificate().Pem().value()), 0644)
                    .ok());
    qe_ = new tt::RunningQe(std::move(authority).value(), dir_->Sub("qe.sock"));

    ecs_signer_ = new crypto::EcKey(tt::NewSigner());
    server_signer_ = new crypto::EcKey(tt::NewSigner());
    ecs_binary_ = new std::string(tt::InstallEnclave(dir_->path(), "ecs"));
    tt::SignEnclave(*ecs_binary_, *ecs_signer_, 1, 1);
    server_binary_ = new std::string(dir_->Sub("s3ml-server"));
    std::filesystem::copy_file(S3ML_SERVER_BINARY, *server_binary_);
    ASSERT_TRUE(WriteFileAtomic(*server_binary_ + ".enclave.json", AsBytes("{\"debug\": false}\n"), 0644).ok());
    tt::SignEnclave(*server_binary_, *server_signer_, 2, 1);

    pki_ = new net::testing::TestPki(net::testing::MakeTestPki());
    testing::AddEncryptedModel(dir_->Sub("repo"), "mobilenet", 1, testing::kMobilenetV1, testing::TestKey(1));
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete server_binary_;
    delete ecs_binary_;
    delete server_signer_;
    delete ecs_signer_;
    delete qe_;
    delete anchors_;
    delete collateral_;
    delete dir_;
  }
  static std::vector<uint8_t> AsBytes(std::string_view text) { return std::vector<uint8_t>(text.begin(), text.end()); }

  std::unique_ptr<testing::FakeEcs> StartEcs() {
    attest::RaTlsVerifierOptions verifier;
    verifier.anchors = *anchors_;
    verifier.collateral = attest::FixedCollateralSource(*collateral_);
    verifier.policy.allowed_signers.push_back(attest::SignerRule{tt::MrSignerOf(*server_signer_), 2, 1});
    verifier.policy.allow_simulated = true;
    verifier.clock = &SystemClock::Get();
    attest::testing::EnclaveProcessPlatform platform(*ecs_binary_, qe_->socket());
    auto ecs = std::make_unique<testing::FakeEcs>(platform, verifier, &SystemClock::Get(), *pki_,
                                                  std::map<std::string, std::vector<uint8_t>>{{"mobilenet", testing::TestKey(1)}});
    const int64_t now = SystemClock::Get().NowUnixSeconds();
    ecs->not_after = now + 86400;
    ecs->renew_after = now + 3600;
    return ecs;
  }
  std::vector<std::string> Argv(const testing::FakeEcs& ecs, const crypto::EcKey& expected_ecs_signer) {
    return {*server_binary_, "--ecs", ecs.url(), "--ecs-mrsigner", HexEncode(tt::MrSignerOf(expected_ecs_signer)),
            "--ecs-isvprodid", "1", "--allow-sim", "--sim-root", dir_->Sub("sim_root.pem"),
            "--collateral", dir_->Sub("sim") + "/collateral", "--platform", "sim", "--repository", dir_->Sub("repo"),
            "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--agent", "127.0.0.1:0",
            "--provision-wait-seconds", "0", "--workers", "1"};
  }

  static tt::TempDir* dir_;
  static attest::Collateral* collateral_;
  static attest::TrustAnchors* anchors_;
  static tt::RunningQe* qe_;
  static crypto::EcKey* ecs_signer_;
  static crypto::EcKey* server_signer_;
  static std::string* ecs_binary_;
  static std::string* server_binary_;
  static net::testing::TestPki* pki_;
};

tt::TempDir* ServerProcessTest::dir_ = nullptr;
attest::Collateral* ServerProcessTest::collateral_ = nullptr;
attest::TrustAnchors* ServerProcessTest::anchors_ = nullptr;
tt::RunningQe* ServerProcessTest::qe_ = nullptr;
crypto::EcKey* ServerProcessTest::ecs_signer_ = nullptr;
crypto::EcKey* ServerProcessTest::server_signer_ = nullptr;
std::string* ServerProcessTest::ecs_binary_ = nullptr;
std::string* ServerProcessTest::server_binary_ = nullptr;
net::testing::TestPki* ServerProcessTest::pki_ = nullptr;

// The test model's input; its quantization decides the pixel encoding.
engine::TensorInfo TestModelInput() {
  auto plain = engine::Model::Load(testing::ReadTestModel(testing::kMobilenetV1));
  EXPECT_TRUE(plain.ok());
  return plain.ok() ? plain.value()->inputs()[0] : engine::TensorInfo{};
}

// A v2 JSON request classifying cat.bmp with the test model.
std::string CatInferBody() {
  const engine::TensorInfo input = TestModelInput();
  json data = json::array();
  for (uint8_t v : testing::CatTensor(input)) data.push_back(v);
  return json{{"inputs", {{{"name", input.name}, {"shape", {1, 128, 128, 3}}, {"datatype", "UINT8"}, {"data", data}}}}}
      .dump();
}

// The top class of a v2 answer (-1 if it has no outputs).
int TopClassOf(const std::string& answer_body) {
  const json answer = json::parse(answer_body, nullptr, false);
  if (answer.is_discarded() || !answer.contains("outputs")) return -1;
  std::vector<uint8_t> scores;
  for (const auto& v : answer["outputs"][0]["data"]) scores.push_back(v.get<uint8_t>());
  return static_cast<int>(testing::ArgMax(scores));
}

// Classifies cat.bmp on the server's inference port and returns the top class (-1 on failure).
int InferCatClass(uint16_t port, const net::testing::TestPki& pki) {
  net::TlsClientOptions tls;
  tls.root_pem = pki.ca.certificate_pem;
  net::HttpClientOptions options;
  options.tls = net::TlsContext::CreateClient(tls).value();
  net::HttpClient client("127.0.0.1", port, options);
  auto metadata = client.Get("/v2/models/mobilenet");
  EXPECT_TRUE(metadata.ok()) << metadata.status().ToString();
  if (!metadata.ok() || metadata.value().status != 200) return -1;
  EXPECT_EQ(json::parse(metadata.value().body)["inputs"][0]["name"], TestModelInput().name);
  auto inferred = client.Post("/v2/models/mobilenet/infer", CatInferBody());
  EXPECT_TRUE(inferred.ok());
  if (!inferred.ok()) return -1;
  EXPECT_EQ(inferred.value().status, 200) << inferred.value().body;
  if (inferred.value().status != 200) return -1;
  return TopClassOf(inferred.value().body);
}

std::string AgentAnswerAt(uint16_t port) { return net::testing::RawConnection(port).ReadAll(); }

// The value of the first metrics line starting with `series` (name{labels}), or -1.
double MetricValue(uint16_t port, const std::string& series) {
  net::HttpClient client("127.0.0.1", port, net::HttpClientOptions{});
  auto response = client.Get("/metrics");
  if (!response.ok() || response.value().status != 200) return -1;
  const std::string& body = response.value().body;
  const size_t at = body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + series.size() + 2));
}

TEST_F(ServerProcessTest, BootsServesAndDrainsOnSigterm) {
  auto ecs = StartEcs();
  ServerProcess server(Argv(*ecs, *ecs_signer_), qe_->socket());
  auto agent_line = server.WaitForLine("server agent on ", std::chrono::seconds(30));
  auto listening = server.WaitForLine("server listening on 127.0.0.1:", std::chrono::seconds(30));
  ASSERT_TRUE(listening.has_value() && agent_line.has_value()) << server.output();
  EXPECT_EQ(ecs->provisions.load(), 1);
  const int top = InferCatClass(PortOf(*listening), *pki_);
  EXPECT_TRUE(testing::IsCatClass(static_cast<size_t>(top))) << top;

  {
    net::testing::RawConnection agent(PortOf(*agent_line));
    EXPECT_EQ(agent.ReadAll(), "up 100%\n");
  }
  server.Signal(SIGTERM);
  EXPECT_EQ(server.Wait(std::chrono::seconds(20)), 0) << server.output();
}

// SIGTERM while a request is in flight. The request is held in flight by the test, not by timing:
// its body is sent in two halves, and the second half only once the server is shutting down (its
// agent says "drain" and its inference port no longer accepts). The server must wait for it,
// answer it correctly, and only then exit 0.
TEST_F(ServerProcessTest, SigtermLetsAnInFlightRequestFinishAndDrainsTheAgent) {
  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  auto ecs = StartEcs();
  std::vector<std::string> argv = Argv(*ecs, *ecs_signer_);
  for (const char* flag : {"--drain-delay-ms", "1000", "--drain-grace-ms", "10000"}) argv.push_back(flag);
  ServerProcess server(argv, qe_->socket());
  auto agent_line = server.WaitForLine("server agent on ", std::chrono::seconds(30));
  auto listening = server.WaitForLine("server listening on 127.0.0.1:", std::chrono::seconds(30));
  ASSERT_TRUE(listening.has_value() && agent_line.has_value()) << server.output();
  const uint16_t port = PortOf(*listening), agent = PortOf(*agent_line);
  // The agent and the port are gone once the server exits: "" / false then, not an exception.
  auto agent_answer = [agent] {
    try {
      return AgentAnswerAt(agent);
    } catch (const std::exception&) {
      return std::string();
    }
  };
  auto accepts = [port] {
    try {
      net::testing::RawConnection probe(port);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  };
  EXPECT_EQ(agent_answer(), "up 100%\n");

  asio::io_context ioc;
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.add_certificate_authority(asio::buffer(pki_->ca.certificate_pem));
  tls.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<asio::ip::tcp::socket> stream(ioc, tls);
  stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), port});
  stream.handshake(asio::ssl::stream_base::client);
  const std::string body = CatInferBody();
  std::string head = "POST /v2/models/mobilenet/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  head.append("Content-Type: application/json\r\nContent-Length: ").append(std::to_string(body.size()));
  head.append("\r\n\r\n");
  asio::write(stream, asio::buffer(head.append(body, 0, body.size() / 2)));

  server.Signal(SIGTERM);
  std::string answer;
  for (int i = 0; i < 100 && answer != "drain\n"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    answer = agent_answer();
  }
  EXPECT_EQ(answer, "drain\n") << "the agent tells HAProxy to drain during the drain delay";
  bool closed = false;
  for (int i = 0; i < 200 && !closed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    closed = !accepts();
  }
  ASSERT_TRUE(closed) << "the inference port still accepts 10 s after SIGTERM";
  EXPECT_EQ(agent_answer(), "drain\n") << "the server waits for the request it has half read";

  boost::system::error_code error;
  asio::write(stream, asio::buffer(body.data() + body.size() / 2, body.size() - body.size() / 2), error);
  ASSERT_FALSE(error) << "the server dropped a request in flight: " << error.message() << "\n" << server.output();
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response, error);
  ASSERT_FALSE(error) << "no answer to a request in flight: " << error.message() << "\n" << server.output();
  EXPECT_EQ(response.result_int(), 200u) << response.body();
  EXPECT_TRUE(testing::IsCatClass(static_cast<size_t>(TopClassOf(response.body())))) << response.body();
  EXPECT_EQ(server.Wait(std::chrono::seconds(20)), 0) << server.output();
}

TEST_F(ServerProcessTest, EpcHostMetricsAndAgentFollowTheHostsPaging) {
  tee::epc::TestHost host;
  // 8 MiB: room for the server's working set (~2 MiB with one worker), not for the neighbour's.
  ASSERT_TRUE(tee::epc::EpcHost::Create(host.id(), 2048).ok());
  auto ecs = StartEcs();
  std::vector<std::string> argv = Argv(*ecs, *ecs_signer_);
  for (const char* flag : {"--epc-host", host.id().c_str(), "--agent-policy", "epc", "--epc-page-delay-cycles", "0",
                           "--epc-sample-ms", "200", "--epc-low-pages-per-s", "200", "--epc-critical-pages-per-s",
                           "200000", "--drain-delay-ms", "1500"}) {
    argv.push_back(flag);
  }
  ServerProcess server(argv, qe_->socket());
  auto metrics_line = server.WaitForLine("server metrics on ", std::chrono::seconds(30));
  auto agent_line = server.WaitForLine("server agent on ", std::chrono::seconds(30));
  auto listening = server.WaitForLine("server listening on 127.0.0.1:", std::chrono::seconds(30));
  ASSERT_TRUE(listening.has_value() && agent_line.has_value() && metrics_line.has_value()) << server.output();
  const uint16_t agent = PortOf(*agent_line), metrics = PortOf(*metrics_line);
  EXPECT_TRUE(testing::IsCatClass(static_cast<size_t>(InferCatClass(PortOf(*listening), *pki_))));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a few samples of a quiet host
  EXPECT_EQ(AgentAnswerAt(agent), "up 100%\n");
  const std::string host_label = "{host=\"" + host.id() + "\"}";
  const std::string own_label = "{enclave=\"s3ml-server\",host=\"" + host.id() + "\"}";
  EXPECT_EQ(MetricValue(metrics, "s3ml_epc_capacity_bytes" + host_label), 2048.0 * tee::epc::kEpcPageSize);
  // The engine's memory (model copy, arena, packed weights) is resident EPC of the server.
  EXPECT_GT(MetricValue(metrics, "s3ml_epc_resident_bytes" + own_label), 400.0 * 1024);
  EXPECT_EQ(MetricValue(metrics, "s3ml_epc_paging_rate_pages_per_second" + host_label), 0.0);

  // A noisy neighbour: this process as an enclave of the host sweeping 16 MiB (twice the capacity).
  auto attached = tee::epc::EpcHost::Attach(host.id(), tee::epc::TestHost::Options(2048, "noise"));
  ASSERT_TRUE(attached.ok()) << attached.status().ToString();
  auto region = tee::epc::EnclaveMemory::Create(attached.value(), 4096 * tee::epc::kEpcPageSize);
  ASSERT_TRUE(region.ok());
  std::atomic<bool> stop{false};
  std::thread noise([&] {
    volatile uint8_t* data = region.value()->data();
    while (!stop.load()) {
      for (size_t p = 0; p < region.value()->page_count(); ++p) data[p * tee::epc::kEpcPageSize] = 1;
    }
  });
  std::string answer = AgentAnswerAt(agent);
  for (int i = 0; i < 100 && answer == "up 100%\n"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    answer = AgentAnswerAt(agent);
  }
  EXPECT_TRUE(answer == "drain\n" || (answer.rfind("up ", 0) == 0 && answer != "up 100%\n")) << answer;
  EXPECT_GT(MetricValue(metrics, "s3ml_epc_paging_rate_pages_per_second" + host_label), 200.0);
  // Under pressure the server still answers correctly (its pages come back decrypted and verified).
  EXPECT_TRUE(testing::IsCatClass(static_cast<size_t>(InferCatClass(PortOf(*listening), *pki_))));
  stop.store(true);
  noise.join();
  region.value().reset();
  attached.value().reset();
  for (int i = 0; i < 100 && AgentAnswerAt(agent) != "up 100%\n"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(AgentAnswerAt(agent), "up 100%\n");

  // Shutting down drains whatever the EPC policy would say.
  server.Signal(SIGTERM);
  std::string drained;
  for (int i = 0; i < 50 && drained != "drain\n"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    drained = AgentAnswerAt(agent);
  }
  EXPECT_EQ(drained, "drain\n");
  EXPECT_EQ(server.Wait(std::chrono::seconds(20)), 0) << server.output();
}

TEST_F(ServerProcessTest, EpcFlagsAreChecked) {
  auto ecs = StartEcs();
  std::vector<std::string> argv = Argv(*ecs, *ecs_signer_);
  argv.push_back("--agent-policy");
  argv.push_back("epc");
  ServerProcess without_host(argv, qe_->socket());
  EXPECT_EQ(without_host.Wait(std::chrono::seconds(10)), 2) << without_host.output();
  EXPECT_NE(without_host.output().find("--agent-policy epc needs --epc-host"), std::string::npos);
  for (const char* flag : {"--epc-host", "h", "--epc-low-pages-per-s", "500", "--epc-critical-pages-per-s", "100"}) {
    argv.push_back(flag);
  }
  ServerProcess bad_thresholds(argv, qe_->socket());
  EXPECT_EQ(bad_thresholds.Wait(std::chrono::seconds(10)), 2) << bad_thresholds.output();
  EXPECT_EQ(ecs->provisions.load(), 0);
}

TEST_F(ServerProcessTest, EcsRefusalExitsWithItsReason) {
  auto ecs = StartEcs();
  ecs->mode = testing::EcsMode::kRefuse;
  ServerProcess server(Argv(*ecs, *ecs_signer_), qe_->socket());
  EXPECT_EQ(server.Wait(std::chrono::seconds(30)), 3) << server.output();
  EXPECT_NE(server.output().find("s3ml-server: provisioning refused: MRENCLAVE not allowed"), std::string::npos)
      << server.output();
}

TEST_F(ServerProcessTest, EcsOfAnotherIdentityIsNotTrusted) {
  auto ecs = StartEcs();
  const crypto::EcKey other = tt::NewSigner();
  ServerProcess server(Argv(*ecs, other), qe_->socket());
  EXPECT_EQ(server.Wait(std::chrono::seconds(30)), 4) << server.output();
  EXPECT_NE(server.output().find("ECS identity mismatch"), std::string::npos) << server.output();
  EXPECT_EQ(ecs->provisions.load(), 0);
}

}  // namespace
}  // namespace s3ml::serving
