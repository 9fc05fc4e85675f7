// The inference client (client/inference_client.h) against fake model servers on loopback: they
// stand in for s3ml-server (serving/, written in parallel) and speak KServe v2 over TLS with a
// test PKI, so the tests cover pinning, retries to other endpoints, timeouts and both encodings.
#include "client/inference_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <mutex>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "net/http_server.h"
#include "net/router.h"
#include "tests/net/dead_url.h"
#include "tests/net/test_certificates.h"

namespace s3ml::client {
namespace {

using net::testing::MakeTestPki;
using net::testing::TestPki;

const TestPki& Pki() {
  static const TestPki pki = MakeTestPki("s3ml client test");
  return pki;
}

constexpr char kMetadata[] = R"({"name": "m", "versions": ["1"], "platform": "tflite",
  "inputs": [{"name": "input", "datatype": "UINT8", "shape": [-1, 4]}],
  "outputs": [{"name": "scores", "datatype": "FP32", "shape": [-1, 2]}]})";

// Answers infer with scores [sum of the input bytes, server id] as FP32, binary if asked.
net::HttpResponse Infer(const net::HttpRequest& request, float server_id) {
  std::string_view body = request.body;
  size_t header_size = body.size();
  if (auto h = request.headers.Get("Inference-Header-Content-Length")) header_size = std::stoul(std::string(*h));
  auto header = nlohmann::json::parse(body.substr(0, header_size), nullptr, false);
  if (!header.is_object()) return net::HttpResponse::Error(400, "malformed JSON");
  const auto& input = header["inputs"][0];
  if (input["shape"] != nlohmann::json({1, 4})) return net::HttpResponse::Error(400, "input shape must be [1,4]");
  float sum = 0;
  if (input.contains("data")) {
    for (const auto& v : input["data"]) sum += v.get<float>();
  } else {
    for (char c : body.substr(header_size)) sum += static_cast<uint8_t>(c);
  }
  const bool binary = header.contains("parameters") && header["parameters"].value("binary_data_output", false);
  nlohmann::json out = {{"name", "scores"}, {"datatype", "FP32"}, {"shape", {1, 2}}};
  float scores[2] = {sum, server_id};
  nlohmann::json reply = {{"model_name", "m"}, {"model_version", "1"}};
  if (binary) {
    out["parameters"] = {{"binary_data_size", 8}};
    reply["outputs"] = {out};
    std::string text = reply.dump();
    net::HttpResponse r;
    r.status = 200;
    r.headers.Set("Inference-Header-Content-Length", std::to_string(text.size()));
    r.headers.Set("Content-Type", "application/octet-stream");
    r.body = text + std::string(reinterpret_cast<const char*>(scores), 8);
    return r;
  }
  out["data"] = {scores[0], scores[1]};
  reply["outputs"] = {out};
  return net::HttpResponse::Json(200, reply.dump());
}

enum class Behaviour { kServe, kUnavailable, kStall };

class FakeModelServer {
 public:
  FakeModelServer(float id, Behaviour behaviour, const TestPki& pki = Pki()) {
    net::Router router;
    EXPECT_TRUE(router.Add("GET", "/v2/models/m", [](net::HttpRequest, net::HttpResponder respond) {
                        respond(net::HttpResponse::Json(200, kMetadata));
                      }).ok());
    EXPECT_TRUE(router.Add("GET", "/v2/health/ready", [](net::HttpRequest, net::HttpResponder respond) {
                        respond(net::HttpResponse::Json(200, "{}"));
                      }).ok());
    net::HttpHandler infer = [this, id, behaviour](net::HttpRequest request, net::HttpResponder respond) {
      ++requests_;
      if (behaviour == Behaviour::kUnavailable) return respond(net::HttpResponse::Error(503, "queue full"));
      if (behaviour == Behaviour::kStall) {
        std::lock_guard lock(mutex_);
        stalled_.push_back(std::move(respond));  // answered only at shutdown
        return;
      }
      respond(Infer(request, id));
    };
    EXPECT_TRUE(router.Add("POST", "/v2/models/m/infer", infer).ok());
    EXPECT_TRUE(router.Add("POST", "/v2/models/m/versions/1/infer", infer).ok());
    net::TlsServerOptions tls;
    tls.certificate_chain_pem = pki.server.certificate_pem;
    tls.private_key_pem = pki.server.private_key_pem;
    net::HttpServerOptions options;
    options.tls = net::TlsContext::CreateServer(tls).value();
    options.io_threads = 1;
    server_ = std::make_unique<net::HttpServer>(options, std::move(router));
    EXPECT_TRUE(server_->Start().ok());
  }
  ~FakeModelServer() {
    {
      std::lock_guard lock(mutex_);
      for (auto& respond : stalled_) respond(net::HttpResponse::Error(503, "shutting down"));
    }
    server_->Shutdown(std::chrono::milliseconds(0));
  }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(server_->port()); }
  int requests() const { return requests_; }
  uint64_t connections_accepted() const { return server_->stats().connections_accepted; }

 private:
  std::unique_ptr<net::HttpServer> server_;
  std::atomic<int> requests_{0};
  std::mutex mutex_;
  std::vector<net::HttpResponder> stalled_;
};

std::string DeadUrl() { return net::testing::DeadHttpsUrl(); }

// Listens but never accepts: TCP connects (the kernel's backlog), the TLS handshake never ends.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

InferenceClientOptions Options(std::vector<std::string> endpoints) {
  InferenceClientOptions o;
  o.endpoints = std::move(endpoints);
  o.root_ca_pem = Pki().ca.certificate_pem;
  o.connect_timeout = std::chrono::milliseconds(2000);
  o.request_timeout = std::chrono::milliseconds(2000);
  o.retry_delay = std::chrono::milliseconds(0);
  return o;
}

V2InferCall Call(TensorEncoding encoding) {
  V2InferCall call;
  call.encoding = encoding;
  call.inputs.push_back({"input", "UINT8", {1, 4}, {1, 2, 3, 4}});
  return call;
}

std::vector<float> AsFloats(const V2Tensor& t) {
  std::vector<float> out(t.data.size() / 4);
  std::memcpy(out.data(), t.data.data(), out.size() * 4);
  return out;
}

TEST(InferenceClientTest, MetadataAndBinaryInferOverOneKeepAliveConnection) {
  FakeModelServer server(7, Behaviour::kServe);
  auto client = InferenceClient::Create(Options({server.url()}));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto metadata = (*client)->ModelMetadata("m");
  ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
  EXPECT_EQ(metadata->inputs[0].shape, (std::vector<int64_t>{-1, 4}));
  for (int i = 0; i < 3; ++i) {
    auto result = (*client)->Infer("m", "", Call(TensorEncoding::kBinary));
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_EQ(result->outputs.size(), 1u);
    EXPECT_EQ(AsFloats(result->outputs[0]), (std::vector<float>{10, 7}));
  }
  EXPECT_TRUE((*client)->Ready().ok());
  EXPECT_EQ((*client)->stats().connections_opened, 1u);
  EXPECT_EQ((*client)->stats().retries, 0u);
}

TEST(InferenceClientTest, ConnectionIsRecycledAfterMaxRequests) {
  FakeModelServer server(7, Behaviour::kServe);
  InferenceClientOptions o = Options({server.url()});
  o.max_requests_per_connection = 3;
  auto client = InferenceClient::Create(o);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  for (int i = 0; i < 7; ++i) {
    auto result = (*client)->Infer("m", "", Call(TensorEncoding::kBinary));
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ((*client)->stats().connections_opened, static_cast<uint64_t>(i / 3 + 1)) << "after request " << i;
  }
  // Requests 1-3, 4-6 and 7 each on their own connection, as the server saw them.
  EXPECT_EQ(server.connections_accepted(), 3u);
  EXPECT_EQ(server.requests(), 7);
  EXPECT_EQ((*client)->stats().retries, 0u);
}

TEST(InferenceClientTest, OneRequestPerConnectionAndEveryKindOfCallCounts) {
  FakeModelServer server(7, Behaviour::kServe);
  InferenceClientOptions o = Options({server.url()});
  o.max_requests_per_connection = 1;
  auto client = InferenceClient::Create(o);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->ModelMetadata("m").ok());
  ASSERT_TRUE((*client)->Infer("m", "", Call(TensorEncoding::kJson)).ok());
  ASSERT_TRUE((*client)->Ready().ok());
  EXPECT_EQ((*client)->stats().connections_opened, 3u);
  EXPECT_EQ(server.connections_accepted(), 3u);
}

TEST(InferenceClientTest, JsonTensorsGiveTheSameAnswer) {
  FakeModelServer server(7, Behaviour::kServe);
  auto client = InferenceClient::Create(Options({server.url()}));
  ASSERT_TRUE(client.ok());
  auto result = (*client)->Infer("m", "1", Call(TensorEncoding::kJson));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(AsFloats(result->outputs[0]), (std::vector<float>{10, 7}));
}

TEST(InferenceClientTest, RetriesOnTheNextEndpointWhenTheFirstIsDown) {
  FakeModelServer server(2, Behaviour::kServe);
  auto client = InferenceClient::Create(Options({DeadUrl(), server.url()}));
  ASSERT_TRUE(client.ok());
  auto result = (*client)->Infer("m", "", Call(TensorEncoding::kBinary));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(AsFloats(result->outputs[0])[1], 2);
  EXPECT_EQ((*client)->stats().retries, 1u);
  // The failed endpoint was moved past: the next call goes straight to the live one.
  ASSERT_TRUE((*client)->Infer("m", "", Call(TensorEncoding::kBinary)).ok());
  EXPECT_EQ((*client)->stats().attempts, 3u);
}

TEST(InferenceClientTest, ServiceUnavailableIsRetriedOnAnotherServer) {
  FakeModelServer busy(1, Behaviour::kUnavailable);
  FakeModelServer good(2, Behaviour::kServe);
  auto client = InferenceClient::Create(Options({busy.url(), good.url()}));
  ASSERT_TRUE(client.ok());
  auto result = (*client)->Infer("m", "", Call(TensorEncoding::kBinary));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(AsFloats(result->outputs[0])[1], 2);
  EXPECT_EQ(busy.requests(), 1);
}

TEST(InferenceClientTest, StalledServerTimesOut) {
  FakeModelServer stalled(1, Behaviour::kStall);
  InferenceClientOptions o = Options({stalled.url()});
  o.request_timeout = std::chrono::milliseconds(300);
  o.max_attempts = 1;
  auto client = InferenceClient::Create(o);
  ASSERT_TRUE(client.ok());
  const uint64_t start = MonotonicNanos();
  auto result = (*client)->Infer("m", "", Call(TensorEncoding::kBinary));
  const double seconds = static_cast<double>(MonotonicNanos() - start) / 1e9;
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kDeadlineExceeded) << result.status().ToString();
  EXPECT_LT(seconds, 2.0);
}

TEST(InferenceClientTest, StalledServerIsLeftForAnotherOne) {
  FakeModelServer stalled(1, Behaviour::kStall);
  FakeModelServer good(2, Behaviour::kServe);
  InferenceClientOptions o = Options({stalled.url(), good.url()});
  o.request_timeout = std::chrono::milliseconds(300);
  auto client = InferenceClient::Create(o);
  ASSERT_TRUE(client.ok());
  auto result = (*client)->Infer("m", "", Call(TensorEncoding::kBinary));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(AsFloats(result->outputs[0])[1], 2);
}

TEST(InferenceClientTest, HandshakeThatNeverEndsTimesOut) {
  SilentListener silent;
  InferenceClientOptions o = Options({silent.url()});
  o.connect_timeout = std::chrono::milliseconds(300);
  o.max_attempts = 1;
  auto client = InferenceClient::Create(o);
  ASSERT_TRUE(client.ok());
  const uint64_t start = MonotonicNanos();
  auto result = (*client)->ModelMetadata("m");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kDeadlineExceeded) << result.status().ToString();
  EXPECT_LT(static_cast<double>(MonotonicNanos() - start) / 1e9, 2.0);
}

TEST(InferenceClientTest, AllEndpointsDownIsUnavailableAfterEveryAttempt) {
  auto client = InferenceClient::Create(Options({DeadUrl(), DeadUrl()}));
  ASSERT_TRUE(client.ok());
  auto result = (*client)->Infer("m", "", Call(TensorEncoding::kBinary));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable) << result.status().ToString();
  EXPECT_NE(result.status().message().find("after 3 attempts"), std::string::npos);
  EXPECT_EQ((*client)->stats().attempts, 3u);
}

TEST(InferenceClientTest, ServerOutsideThePinnedRootIsRefusedWithoutRetry) {
  const TestPki other = MakeTestPki("impostor");
  FakeModelServer impostor(9, Behaviour::kServe, other);
  FakeModelServer good(2, Behaviour::kServe);
  auto client = InferenceClient::Create(Options({impostor.url(), good.url()}));
  ASSERT_TRUE(client.ok());
  auto result = (*client)->Infer("m", "", Call(TensorEncoding::kBinary));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kPermissionDenied) << result.status().ToString();
  EXPECT_EQ((*client)->stats().attempts, 1u);
  EXPECT_EQ(impostor.requests(), 0);
}

TEST(InferenceClientTest, ServiceNameMustBeInTheCertificate) {
  FakeModelServer server(1, Behaviour::kServe);
  InferenceClientOptions o = Options({server.url()});
  o.server_name = "other.example";
  auto client = InferenceClient::Create(o);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->ModelMetadata("m").status().code(), StatusCode::kPermissionDenied);
  o.server_name = "localhost";
  auto named = InferenceClient::Create(o);
  ASSERT_TRUE(named.ok());
  EXPECT_TRUE((*named)->ModelMetadata("m").ok());
}

TEST(InferenceClientTest, HttpErrorsComeBackWithTheServersMessageAndAreNotRetried) {
  FakeModelServer server(1, Behaviour::kServe);
  auto client = InferenceClient::Create(Options({server.url()}));
  ASSERT_TRUE(client.ok());
  V2InferCall call = Call(TensorEncoding::kBinary);
  call.inputs[0].shape = {2, 2};
  auto bad = (*client)->Infer("m", "", call);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("input shape must be [1,4]"), std::string::npos) << bad.status().ToString();
  EXPECT_EQ((*client)->ModelMetadata("unknown").status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*client)->stats().retries, 0u);
}

TEST(InferenceClientTest, BadArgumentsNeverReachTheNetwork) {
  EXPECT_EQ(InferenceClient::Create(Options({})).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(InferenceClient::Create(Options({"http://127.0.0.1:1"})).status().code(), StatusCode::kInvalidArgument);
  InferenceClientOptions no_root = Options({DeadUrl()});
  no_root.root_ca_pem.clear();
  EXPECT_EQ(InferenceClient::Create(no_root).status().code(), StatusCode::kInvalidArgument);
  auto client = InferenceClient::Create(Options({DeadUrl()}));
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->ModelMetadata("../admin").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*client)->Infer("m", "1/../2", Call(TensorEncoding::kBinary)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*client)->stats().attempts, 0u);
}

}  // namespace
}  // namespace s3ml::client
