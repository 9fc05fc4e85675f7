// The inference, metrics and agent ports end to end: net::HttpServer over TLS on loopback with a
// test certificate (tests/net/test_certificates.h), a ModelStore holding an encrypted real model
// (MobileNet v1 0.25, uint8), and net::HttpClient as the client. Checks the right classes for a
// testdata image through v2 JSON, v2 binary tensors and v1 instances (which must agree), the 4xx
// and 503 paths (the server keeps serving after each), the metrics page and the agent port.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "client/repository_labels.h"
#include "core/file.h"
#include "net/http_client.h"
#include "net/http_server.h"
#include "serving/agent_server.h"
#include "serving/inference_service.h"
#include "serving/metrics_service.h"
#include "serving/model_server.h"
#include "serving/model_store.h"
#include "tests/net/test_certificates.h"
#include "tests/net/test_server.h"
#include "tests/serving/served_model_fixture.h"

namespace s3ml::serving {
namespace {

using nlohmann::json;
using testing::AddEncryptedModel;
using testing::KeyMap;
using testing::TestKey;

constexpr uint64_t kBodyLimit = 1 << 20;

// One server: store + inference port (TLS) + metrics port, threaded as ModelServer runs its
// inference port: an event loop per IO thread (set `load.submitter_runs` as it does for requests
// run on the IO threads).
class Service {
 public:
  Service(const std::filesystem::path& root, const net::testing::TestPki& pki, LoadedModelOptions load) {
    ModelStoreOptions options;
    options.repository = root.string();
    options.load = load;
    store_ = std::make_unique<ModelStore>(options, &metrics_);
    store_->SetModelKeys(KeyMap({{"mobilenet", TestKey(1)}, {"slow", TestKey(2)}}));
    auto report = store_->Poll();
    EXPECT_TRUE(report.ok() && report.value().failed.empty());
    service_ = std::make_unique<InferenceService>(store_.get(), &metrics_);

    net::Router router;
    EXPECT_TRUE(service_->AddRoutes(router).ok());
    net::TlsServerOptions tls;
    tls.certificate_chain_pem = pki.server.certificate_pem;
    tls.private_key_pem = pki.server.private_key_pem;
    net::HttpServerOptions server_options;
    server_options.tls = net::TlsContext::CreateServer(tls).value();
    server_options.max_body_bytes = kBodyLimit;
    server_options.io_threads = 2;
    server_options.context_per_thread = true;
    server_ = net::testing::StartServer(server_options, std::move(router));

    net::Router metrics_router;
    EXPECT_TRUE(AddMetricsRoutes(metrics_router, &metrics_, store_.get()).ok());
    metrics_server_ = net::testing::StartServer(net::HttpServerOptions{}, std::move(metrics_router));
  }
  ~Service() {
    server_->Shutdown(std::chrono::seconds(5));
    metrics_server_->Shutdown(std::chrono::milliseconds(0));
  }
  uint16_t port() const { return server_->port(); }
  uint16_t metrics_port() const { return metrics_server_->port(); }
  ModelStore& store() { return *store_; }
  InferenceService& service() { return *service_; }

 private:
  ServingMetrics metrics_;
  std::unique_ptr<ModelStore> store_;
  std::unique_ptr<InferenceService> service_;
  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<net::HttpServer> metrics_server_;
};

class InferenceServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new net::testing::TestPki(net::testing::MakeTestPki());
    root_ = new std::filesystem::path(std::filesystem::path(S3ML_BINARY_DIR) / "tmp" /
                                      ("inference_service_" + std::to_string(getpid())));
    std::filesystem::remove_all(*root_);
    AddEncryptedModel(*root_, "mobilenet", 1, testing::kMobilenetV1, TestKey(1));
    SealLabels(*root_ / "mobilenet", "mobilenet", TestKey(1));
    LoadedModelOptions load;
    load.workers = 2;
    load.submitter_runs = SubmitterRunsForIoThreads(2);  // as ModelServer with the 2 IO threads below
    service_ = new Service(*root_, *pki_, load);
    auto model = service_->store().Find("mobilenet", std::nullopt);
    ASSERT_TRUE(model.ok());
    input_name_ = new std::string(model.value()->inputs()[0].name);
    output_name_ = new std::string(model.value()->outputs()[0].name);
    cat_ = new std::vector<uint8_t>(testing::CatTensor(model.value()->inputs()[0]));
  }
  static void TearDownTestSuite() {
    delete service_;
    std::filesystem::remove_all(*root_);
    delete root_;
    delete pki_;
    delete input_name_;
    delete output_name_;
    delete cat_;
  }

  // The ImageNet labels of testdata, sealed beside version 1 as `s3ml model encrypt --labels` does.
  static void SealLabels(const std::filesystem::path& model_dir, const std::string& model, const std::vector<uint8_t>& key) {
    auto text = ReadFileBytes(std::string(S3ML_TESTDATA_DIR) + "/models/coral/imagenet_labels.txt");
    ASSERT_TRUE(text.ok());
    ASSERT_TRUE(client::WriteSealedLabels(key, model, 1, text.value(), model_dir.string()).ok());
  }

  static std::unique_ptr<net::HttpClient> Client(uint16_t port) {
    net::TlsClientOptions tls;
    tls.root_pem = pki_->ca.certificate_pem;
    net::HttpClientOptions options;
    options.tls = net::TlsContext::CreateClient(tls).value();
    return std::make_unique<net::HttpClient>("127.0.0.1", port, options);
  }
  net::HttpClient& client() {
    if (!client_) client_ = Client(service_->port());
    return *client_;
  }
  net::HttpResponse Post(const std::string& target, std::string body) {
    auto response = client().Post(target, std::move(body));
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? response.value() : net::HttpResponse{};
  }
  net::HttpResponse Get(const std::string& target) {
    auto response = client().Get(target);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? response.value() : net::HttpResponse{};
  }
  static std::string ErrorOf(const net::HttpResponse& response) {
    json body = json::parse(response.body, nullptr, false);
    return body.is_object() && body.contains("error") ? body["error"].get<std::string>() : "<no error member>";
  }

  static std::string V2JsonBody(const std::vector<uint8_t>& tensor, const std::string& datatype = "UINT8",
                                const std::vector<int64_t>& shape = {1, 128, 128, 3}) {
    json data = json::array();
    for (uint8_t v : tensor) data.push_back(v);
    return json{{"inputs", {{{"name", *input_name_}, {"shape", shape}, {"datatype", datatype}, {"data", data}}}}}.dump();
  }
  static std::vector<uint8_t> V2JsonScores(const net::HttpResponse& response) {
    json body = json::parse(response.body);
    std::vector<uint8_t> out;
    for (const auto& v : body["outputs"][0]["data"]) out.push_back(v.get<uint8_t>());
    return out;
  }
  net::HttpResponse V2Binary(const std::vector<uint8_t>& tensor) {
    auto response = client().Send(V2BinaryRequest(tensor));
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? response.value() : net::HttpResponse{};
  }
  static net::HttpRequest V2BinaryRequest(const std::vector<uint8_t>& tensor) {
    const std::string header =
        json{{"inputs", {{{"name", *input_name_}, {"shape", {1, 128, 128, 3}}, {"datatype", "UINT8"},
                          {"parameters", {{"binary_data_size", tensor.size()}}}}}},
             {"outputs", {{{"name", *output_name_}, {"parameters", {{"binary_data", true}}}}}}}
            .dump();
    net::HttpRequest request;
    request.method = "POST";
    request.target = "/v2/models/mobilenet/infer";
    request.headers.Set("Content-Type", "application/octet-stream");
    request.headers.Set("Inference-Header-Content-Length", std::to_string(header.size()));
    request.body = header + std::string(tensor.begin(), tensor.end());
    return request;
  }
  static std::string V1InstancesBody(const std::vector<uint8_t>& tensor) {
    json image = json::array();
    for (int y = 0; y < 128; ++y) {
      json row = json::array();
      for (int x = 0; x < 128; ++x) {
        const size_t at = (static_cast<size_t>(y) * 128 + x) * 3;
        row.push_back({tensor[at], tensor[at + 1], tensor[at + 2]});
      }
      image.push_back(row);
    }
    return json{{"instances", {image}}}.dump();
  }
  // After a failure the server must still answer a correct request.
  void ExpectStillServing() {
    client_.reset();
    net::HttpResponse response = Post("/v2/models/mobilenet/infer", V2JsonBody(*cat_));
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_TRUE(testing::IsCatClass(testing::ArgMax(V2JsonScores(response))));
  }

  static net::testing::TestPki* pki_;
  static std::filesystem::path* root_;
  static Service* service_;
  static std::string* input_name_;
  static std::string* output_name_;
  static std::vector<uint8_t>* cat_;
  std::unique_ptr<net::HttpClient> client_;
};

net::testing::TestPki* InferenceServiceTest::pki_ = nullptr;
std::filesystem::path* InferenceServiceTest::root_ = nullptr;
Service* InferenceServiceTest::service_ = nullptr;
std::string* InferenceServiceTest::input_name_ = nullptr;
std::string* InferenceServiceTest::output_name_ = nullptr;
std::vector<uint8_t>* InferenceServiceTest::cat_ = nullptr;

// The classification extension names the classes from the model's sealed labels file.
TEST_F(InferenceServiceTest, ClassificationAnswersTheTopClassesWithTheirLabels) {
  net::HttpResponse server = Get("/v2");
  ASSERT_EQ(server.status, 200);
  EXPECT_EQ(json::parse(server.body)["extensions"], json::parse(R"(["binary_tensor_data","classification"])"));

  json request = json::parse(V2JsonBody(*cat_));
  request["outputs"] = {{{"name", *output_name_}, {"parameters", {{"classification", 2}}}}};
  net::HttpResponse response = Post("/v2/models/mobilenet/infer", request.dump());
  ASSERT_EQ(response.status, 200) << response.body;
  const json output = json::parse(response.body)["outputs"][0];
  EXPECT_EQ(output["datatype"], "BYTES");
  EXPECT_EQ(output["shape"], json::parse("[2]"));  // the model does not batch: one row, as Triton
  ASSERT_EQ(output["data"].size(), 2u);
  // "<value>:<index>:<label>", the best class first: a cat, named by line <index> of the labels.
  const std::string best = output["data"][0].get<std::string>();
  const size_t colon = best.find(':'), second = best.find(':', colon + 1);
  ASSERT_NE(second, std::string::npos) << best;
  const size_t index = std::stoul(best.substr(colon + 1, second - colon - 1));
  EXPECT_TRUE(testing::IsCatClass(index)) << best;
  EXPECT_NE(best.find("cat", second), std::string::npos) << best;

  request["outputs"][0]["parameters"]["classification"] = "two";
  net::HttpResponse refused = Post("/v2/models/mobilenet/infer", request.dump());
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(ErrorOf(refused).find("classification"), std::string::npos) << refused.body;
}

TEST_F(InferenceServiceTest, V2JsonV2BinaryAndV1InstancesAgreeOnTheCat) {
  net::HttpResponse v2 = Post("/v2/models/mobilenet/infer", V2JsonBody(*cat_));
  ASSERT_EQ(v2.status, 200) << v2.body;
  const std::vector<uint8_t> scores = V2JsonScores(v2);
  ASSERT_EQ(scores.size(), 1001u);
  EXPECT_TRUE(testing::IsCatClass(testing::ArgMax(scores))) << testing::ArgMax(scores);
  json v2_body = json::parse(v2.body);
  EXPECT_EQ(v2_body["model_name"], "mobilenet");
  EXPECT_EQ(v2_body["model_version"], "1");
  EXPECT_EQ(v2_body["outputs"][0]["datatype"], "UINT8");

  net::HttpResponse binary = V2Binary(*cat_);
  ASSERT_EQ(binary.status, 200) << binary.body;
  auto header_length = binary.headers.Get("Inference-Header-Content-Length");
  ASSERT_TRUE(header_length.has_value());
  const size_t json_length = std::stoul(std::string(*header_length));
  ASSERT_EQ(binary.body.size(), json_length + 1001);
  const std::vector<uint8_t> binary_scores(binary.body.begin() + static_cast<long>(json_length), binary.body.end());
  EXPECT_EQ(binary_scores, scores);

  net::HttpResponse v1 = Post("/v1/models/mobilenet:predict", V1InstancesBody(*cat_));
  ASSERT_EQ(v1.status, 200) << v1.body.substr(0, 200);
  json v1_body = json::parse(v1.body);
  std::vector<uint8_t> v1_scores;
  for (const auto& v : v1_body["predictions"][0]) v1_scores.push_back(v.get<uint8_t>());
  EXPECT_EQ(v1_scores, scores);

  net::HttpResponse versioned = Post("/v1/models/mobilenet/versions/1:predict", V1InstancesBody(*cat_));
  EXPECT_EQ(versioned.status, 200);

  // The columnar form: {"inputs": tensor} -> {"outputs": tensor}.
  json columnar = json::parse(V1InstancesBody(*cat_));
  net::HttpResponse columns = Post("/v1/models/mobilenet:predict", json{{"inputs", columnar["instances"]}}.dump());
  ASSERT_EQ(columns.status, 200) << columns.body.substr(0, 200);
  const json columns_body = json::parse(columns.body);
  std::vector<uint8_t> column_scores;
  for (const auto& v : columns_body["outputs"][0]) column_scores.push_back(v.get<uint8_t>());
  EXPECT_EQ(column_scores, scores);
}

// Requests run on IO threads and on workers at once, over connections on both event loops, with
// remembered request headers: every answer is the one its own input gets alone.
TEST_F(InferenceServiceTest, ConcurrentClientsEachGetTheirOwnAnswer) {
  const std::vector<uint8_t> gray(cat_->size(), 100);
  const std::vector<std::vector<uint8_t>> inputs = {*cat_, gray};
  std::vector<std::string> expected;
  for (const auto& input : inputs) {
    net::HttpResponse alone = V2Binary(input);
    ASSERT_EQ(alone.status, 200) << alone.body;
    expected.push_back(alone.body);
  }
  ASSERT_NE(expected[0], expected[1]);
  constexpr int kClients = 6, kRounds = 8;
  std::atomic<int> right{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      auto client = Client(service_->port());
      for (int round = 0; round < kRounds; ++round) {
        const size_t which = static_cast<size_t>(c + round) % inputs.size();
        auto response = client->Send(V2BinaryRequest(inputs[which]));
        (response.ok() && response.value().status == 200 && response.value().body == expected[which] ? right : wrong)++;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(right.load(), kClients * kRounds);
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(InferenceServiceTest, HealthAndMetadata) {
  EXPECT_EQ(Get("/v2/health/live").status, 200);
  EXPECT_EQ(Get("/v2/health/ready").status, 200);
  json server = json::parse(Get("/v2").body);
  EXPECT_EQ(server["name"], "s3ml");
  json meta = json::parse(Get("/v2/models/mobilenet").body);
  EXPECT_EQ(meta["name"], "mobilenet");
  EXPECT_EQ(meta["versions"], json::array({"1"}));
  EXPECT_EQ(meta["inputs"][0]["shape"], json::array({1, 128, 128, 3}));
  EXPECT_EQ(Get("/v2/models/mobilenet/versions/1").status, 200);
  EXPECT_EQ(Get("/v2/models/mobilenet/ready").status, 200);
  EXPECT_EQ(Get("/v2/models/mobilenet/versions/1/ready").status, 200);
  json status = json::parse(Get("/v1/models/mobilenet").body);
  EXPECT_EQ(status["model_version_status"][0]["state"], "AVAILABLE");
  EXPECT_EQ(Get("/v1/models/mobilenet/metadata").status, 200);
  EXPECT_EQ(Get("/v1/models/mobilenet/versions/1/metadata").status, 200);

  service_->service().SetDraining(true);
  EXPECT_EQ(Get("/v2/health/ready").status, 503);
  service_->service().SetDraining(false);
  EXPECT_EQ(Get("/v2/health/ready").status, 200);
}

TEST_F(InferenceServiceTest, MalformedJsonIs400) {
  net::HttpResponse response = Post("/v2/models/mobilenet/infer", "{\"inputs\": [");
  EXPECT_EQ(response.status, 400);
  EXPECT_FALSE(ErrorOf(response).empty());
  client_.reset();
  EXPECT_EQ(Post("/v1/models/mobilenet:predict", "not json").status, 400);
  ExpectStillServing();
}

TEST_F(InferenceServiceTest, WrongShapeAndDtypeAre400) {
  std::vector<uint8_t> small(64 * 64 * 3, 7);
  net::HttpResponse shape = Post("/v2/models/mobilenet/infer", V2JsonBody(small, "UINT8", {1, 64, 64, 3}));
  EXPECT_EQ(shape.status, 400);
  EXPECT_NE(ErrorOf(shape).find(*input_name_), std::string::npos) << ErrorOf(shape);
  client_.reset();
  net::HttpResponse dtype = Post("/v2/models/mobilenet/infer", V2JsonBody(*cat_, "FP32"));
  EXPECT_EQ(dtype.status, 400) << dtype.body;
  client_.reset();
  EXPECT_EQ(Post("/v1/models/mobilenet:predict", R"({"instances": [[1, 2, 3]]})").status, 400);
  ExpectStillServing();
}

TEST_F(InferenceServiceTest, UnknownModelOrVersionIs404) {
  net::HttpResponse model = Post("/v2/models/nosuch/infer", V2JsonBody(*cat_));
  EXPECT_EQ(model.status, 404);
  EXPECT_NE(ErrorOf(model).find("nosuch"), std::string::npos);
  client_.reset();
  EXPECT_EQ(Post("/v2/models/mobilenet/versions/7/infer", V2JsonBody(*cat_)).status, 404);
  client_.reset();
  EXPECT_EQ(Post("/v2/models/mobilenet/versions/abc/infer", V2JsonBody(*cat_)).status, 404);
  client_.reset();
  EXPECT_EQ(Get("/v2/models/nosuch").status, 404);
  client_.reset();
  EXPECT_EQ(Get("/v1/models/mobilenet/versions/2").status, 404);
  client_.reset();
  EXPECT_EQ(Post("/v1/models/nosuch:predict", V1InstancesBody(*cat_)).status, 404);
  ExpectStillServing();
}

TEST_F(InferenceServiceTest, OversizedBodyIs413) {
  net::HttpResponse response = Post("/v2/models/mobilenet/infer", std::string(kBodyLimit + 1, ' '));
  EXPECT_EQ(response.status, 413);
  ExpectStillServing();
}

TEST_F(InferenceServiceTest, MetricsPageHasTheSeriesAndNoRequestData) {
  ASSERT_EQ(Post("/v2/models/mobilenet/infer", V2JsonBody(*cat_)).status, 200);
  client_.reset();
  ASSERT_EQ(Post("/v2/models/secret-model-name/infer", V2JsonBody(*cat_)).status, 404);
  net::HttpClient metrics("127.0.0.1", service_->metrics_port());
  auto page = metrics.Get("/metrics");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page.value().status, 200);
  const std::string& text = page.value().body;
  for (const char* series : {"s3ml_request_duration_seconds_bucket", "s3ml_queue_duration_seconds_count",
                             "s3ml_compute_duration_seconds_sum", "s3ml_requests_total", "s3ml_pending_requests",
                             "s3ml_loaded_model_versions 1", "s3ml_certificate_expiry_timestamp_seconds"}) {
    EXPECT_NE(text.find(series), std::string::npos) << series;
  }
  EXPECT_NE(text.find(R"(model="mobilenet",outcome="success",protocol="v2",version="1")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(code="404")"), std::string::npos);
  EXPECT_EQ(text.find("secret-model-name"), std::string::npos);
  EXPECT_EQ(text.find(*input_name_), std::string::npos);
}

TEST_F(InferenceServiceTest, FullQueueIs503AndTheServerKeepsServing) {
  // A second server whose one worker and one-slot queue of a slower model (MobileNet v2) fill up.
  const auto root = *root_ / "slow_repo";
  AddEncryptedModel(root, "slow", 1, testing::kMobilenetV2, TestKey(2));
  LoadedModelOptions load;
  load.workers = 1;
  load.max_queue_size = 1;
  Service slow(root, *pki_, load);
  std::vector<uint8_t> image(224 * 224 * 3, 100);
  auto model = slow.store().Find("slow", std::nullopt);
  ASSERT_TRUE(model.ok());
  // Binary tensors keep the IO threads' parsing short, so the requests pile up at the worker.
  const std::string header =
      json{{"inputs", {{{"name", model.value()->inputs()[0].name}, {"shape", {1, 224, 224, 3}}, {"datatype", "UINT8"},
                        {"parameters", {{"binary_data_size", image.size()}}}}}}}.dump();
  net::HttpRequest request;
  request.method = "POST";
  request.target = "/v2/models/slow/infer";
  request.headers.Set("Inference-Header-Content-Length", std::to_string(header.size()));
  request.body = header + std::string(image.begin(), image.end());

  constexpr int kClients = 8;
  std::vector<std::unique_ptr<net::HttpClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(Client(slow.port()));
    ASSERT_TRUE(clients.back()->Get("/v2/health/live").ok());  // connect before the burst
  }
  std::atomic<int> ok{0}, busy{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < 2; ++round) {
        auto response = clients[i]->Send(request);
        if (!response.ok()) {
          ++other;
        } else if (response.value().status == 200) {
          ++ok;
        } else if (response.value().status == 503 && ErrorOf(response.value()).find("full") != std::string::npos) {
          ++busy;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_GT(busy.load(), 0);
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(other.load(), 0);
  auto after = Client(slow.port())->Send(request);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after.value().status, 200);
}

TEST(AgentServerTest, AnswersUpThenDrain) {
  std::atomic<bool> draining{false};
  AgentServer agent("127.0.0.1", 0, FixedWeightAgentAnswer([&] { return draining.load(); }));
  ASSERT_TRUE(agent.Start().ok());
  {
    net::testing::RawConnection connection(agent.port());
    bool closed = false;
    EXPECT_EQ(connection.ReadAll(&closed), "up 100%\n");
    EXPECT_TRUE(closed);
  }
  draining = true;
  net::testing::RawConnection connection(agent.port());
  EXPECT_EQ(connection.ReadAll(), "drain\n");
  agent.Stop();
}

TEST(AgentServerTest, DrainOverridesThePolicysAnswer) {
  std::atomic<bool> draining{false};
  std::string policy_answer = "up 40%\n";
  AgentServer agent("127.0.0.1", 0, DrainOverrides([&] { return draining.load(); }, [&] { return policy_answer; }));
  ASSERT_TRUE(agent.Start().ok());
  EXPECT_EQ(net::testing::RawConnection(agent.port()).ReadAll(), "up 40%\n");
  draining = true;  // shutting down: "drain" even though the policy would say "up 40%"
  EXPECT_EQ(net::testing::RawConnection(agent.port()).ReadAll(), "drain\n");
  agent.Stop();
}

TEST(AgentServerTest, PeerThatSendsFirstStillGetsTheAnswer) {
  AgentServer agent("127.0.0.1", 0, [] { return std::string("up 100%\n"); });
  ASSERT_TRUE(agent.Start().ok());
  net::testing::RawConnection connection(agent.port());
  ASSERT_TRUE(connection.Send("hello from haproxy agent-send\n"));
  bool closed = false;
  EXPECT_EQ(connection.ReadAll(&closed), "up 100%\n");
  EXPECT_TRUE(closed);
}

TEST(AgentServerTest, BusyPortIsAnError) {
  AgentServer first("127.0.0.1", 0, [] { return std::string("up 100%\n"); });
  ASSERT_TRUE(first.Start().ok());
  AgentServer second("127.0.0.1", first.port(), [] { return std::string("up 100%\n"); });
  EXPECT_EQ(second.Start().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace s3ml::serving
