// HttpServer and HttpClient over TLS on loopback: TLS 1.3, pinned roots and host names, mutual
// TLS, verification hooks (RA-TLS style), certificate replacement, limits and concurrency.
#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <thread>

#include <gtest/gtest.h>

#include "net/http_client.h"
#include "net/http_server.h"
#include "tests/net/test_certificates.h"
#include "tests/net/test_server.h"

namespace s3ml::net {
namespace {

using namespace std::chrono_literals;
using testing::EchoRouter;
using testing::MakeSelfSigned;
using testing::MakeTestPki;
using testing::RawConnection;
using testing::StartServer;
using testing::TestIdentity;
using testing::TestPki;

std::shared_ptr<const TlsContext> ServerTls(const TestIdentity& id, TlsServerOptions o = {}) {
  o.certificate_chain_pem = id.certificate_pem;
  o.private_key_pem = id.private_key_pem;
  auto r = TlsContext::CreateServer(o);
  if (!r.ok()) throw std::runtime_error(r.status().ToString());
  return *r;
}

std::shared_ptr<const TlsContext> ClientTls(TlsClientOptions o) {
  auto r = TlsContext::CreateClient(o);
  if (!r.ok()) throw std::runtime_error(r.status().ToString());
  return *r;
}

std::shared_ptr<const TlsContext> PinnedClient(const TestPki& pki, const TestIdentity* client_id = nullptr) {
  TlsClientOptions o;
  o.root_pem = pki.ca.certificate_pem;
  if (client_id != nullptr) {
    o.certificate_chain_pem = client_id->certificate_pem;
    o.private_key_pem = client_id->private_key_pem;
  }
  return ClientTls(o);
}

HttpClientOptions Over(std::shared_ptr<const TlsContext> tls, std::string server_name = "") {
  HttpClientOptions o;
  o.tls = std::move(tls);
  o.server_name = std::move(server_name);
  return o;
}

class HttpsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TestPki(MakeTestPki("first"));
    other_ = new TestPki(MakeTestPki("second"));
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete other_;
  }
  std::unique_ptr<HttpServer> StartTls(TlsServerOptions tls = {}, HttpServerOptions o = {}, Router router = EchoRouter()) {
    o.tls = ServerTls(pki_->server, std::move(tls));
    return StartServer(std::move(o), std::move(router));
  }
  static TestPki* pki_;
  static TestPki* other_;
};
TestPki* HttpsTest::pki_ = nullptr;
TestPki* HttpsTest::other_ = nullptr;

TEST_F(HttpsTest, RoundTripAndKeepAliveOverOneTlsConnection) {
  auto server = StartTls();
  HttpClient client("localhost", server->port(), Over(PinnedClient(*pki_)));
  for (int i = 0; i < 50; ++i) {
    auto r = client.Post("/echo", "payload " + std::to_string(i), "text/plain");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->status, 200);
    ASSERT_EQ(r->body, "payload " + std::to_string(i));
  }
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(server->stats().connections_accepted, 1u);
  ASSERT_NE(client.peer(), nullptr);
  ASSERT_FALSE(client.peer()->chain.empty());
  EXPECT_EQ(client.peer()->chain[0], pki_->server.certificate_der);
}

// Bodies around TLS record boundaries (16 KiB of plaintext) and model-input sizes arrive whole:
// the client sends the header with the body's start, then the rest.
TEST_F(HttpsTest, BodiesOfEverySizeCrossIntact) {
  HttpServerOptions o;
  o.max_body_bytes = 1 << 20;
  auto server = StartTls({}, o);
  HttpClient client("localhost", server->port(), Over(PinnedClient(*pki_)));
  for (size_t size : {0u, 1u, 16'000u, 16'383u, 16'384u, 16'385u, 32'768u, 49'152u, 150'528u, 600'001u}) {
    std::string body(size, '\0');
    for (size_t i = 0; i < size; ++i) body[i] = static_cast<char>('a' + (i * 7919) % 26);
    auto r = client.Post("/echo", body, "application/octet-stream");
    ASSERT_TRUE(r.ok()) << size << ": " << r.status().ToString();
    ASSERT_EQ(r->status, 200) << size;
    ASSERT_EQ(r->body, body) << size;
  }
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST_F(HttpsTest, ServerRefusesTls12) {
  auto server = StartTls();
  boost::asio::io_context ioc;
  boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_client);
  SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.set_verify_mode(boost::asio::ssl::verify_none);
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream(ioc, ctx);
  stream.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), server->port()});
  boost::system::error_code ec;
  stream.handshake(boost::asio::ssl::stream_base::client, ec);
  EXPECT_TRUE(ec) << "a TLS 1.2 handshake succeeded";
  // And a default client negotiates TLS 1.3.
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> modern(ioc, ctx = boost::asio::ssl::context(
                                                                           boost::asio::ssl::context::tls_client));
  ctx.set_verify_mode(boost::asio::ssl::verify_none);
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> v13(ioc, ctx);
  v13.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), server->port()});
  v13.handshake(boost::asio::ssl::stream_base::client, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(SSL_version(v13.native_handle()), TLS1_3_VERSION);
}

TEST_F(HttpsTest, ChecksHostNameAndIpSan) {
  auto server = StartTls();
  HttpClient by_ip("127.0.0.1", server->port(), Over(PinnedClient(*pki_)));
  EXPECT_TRUE(by_ip.Get("/hello").ok());

  HttpClient wrong_name("127.0.0.1", server->port(), Over(PinnedClient(*pki_), "example.com"));
  auto r = wrong_name.Get("/hello");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("hostname mismatch"), std::string::npos) << r.status().message();
}

TEST_F(HttpsTest, WrongRootIsRefusedByTheClient) {
  auto server = StartTls();
  HttpClient client("localhost", server->port(), Over(PinnedClient(*other_)));
  auto r = client.Get("/hello");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("certificate verify failed"), std::string::npos) << r.status().message();
  EXPECT_EQ(server->stats().responses_sent, 0u);
}

TEST_F(HttpsTest, ExpiredServerCertificateIsRefusedAndClockIsHonoured) {
  // Valid from 2 h ago until 40 min ago; the CA became valid an hour ago.
  TestIdentity expired = testing::MakeLeaf(pki_->ca, "localhost", "DNS:localhost", -7200, -2400);
  HttpServerOptions o;
  o.tls = ServerTls(expired);
  auto server = StartServer(o, EchoRouter());
  HttpClient client("localhost", server->port(), Over(PinnedClient(*pki_)));
  auto r = client.Get("/hello");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("expired"), std::string::npos) << r.status().message();

  FixedClock fifty_minutes_ago(std::time(nullptr) - 3000);  // inside both windows
  TlsClientOptions at_that_time;
  at_that_time.root_pem = pki_->ca.certificate_pem;
  at_that_time.clock = &fifty_minutes_ago;
  HttpClient back_then("localhost", server->port(), Over(ClientTls(at_that_time)));
  auto ok = back_then.Get("/hello");
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
}

TEST_F(HttpsTest, MutualTlsServerSeesClientCertificate) {
  TlsServerOptions tls;
  tls.client_certificate = ClientCertificateMode::kRequire;
  tls.client_root_pem = pki_->ca.certificate_pem;
  Router router = EchoRouter();
  ASSERT_TRUE(router
                  .Add("GET", "/whoami",
                       [](HttpRequest req, HttpResponder respond) {
                         respond(HttpResponse::Text(200, req.peer->chain.empty()
                                                             ? "nobody"
                                                             : std::string(req.peer->chain[0].begin(),
                                                                           req.peer->chain[0].end())));
                       })
                  .ok());
  auto server = StartTls(tls, {}, std::move(router));

  HttpClient with_cert("localhost", server->port(), Over(PinnedClient(*pki_, &pki_->client)));
  auto r = with_cert.Get("/whoami");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, std::string(pki_->client.certificate_der.begin(), pki_->client.certificate_der.end()));

  HttpClient without_cert("localhost", server->port(), Over(PinnedClient(*pki_)));
  auto refused = without_cert.Get("/whoami");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("certificate required"), std::string::npos)
      << refused.status().message();

  HttpClient foreign_cert("localhost", server->port(), Over(PinnedClient(*pki_, &other_->client)));
  EXPECT_FALSE(foreign_cert.Get("/whoami").ok());
}

TEST_F(HttpsTest, ClientVerifierAcceptsSelfSignedPeerAndRefusesWithReason) {
  TestIdentity ratls = MakeSelfSigned("ratls-server", "DNS:localhost");
  HttpServerOptions o;
  o.tls = ServerTls(ratls);
  auto server = StartServer(o, EchoRouter());

  TlsClientOptions accept;
  accept.verifier = [&](const CertificateChain& chain, std::any& claims) -> Status {
    if (chain.size() != 1 || chain[0] != ratls.certificate_der) return PermissionDenied("unexpected chain");
    claims = std::string("mrenclave-ok");
    return Status::Ok();
  };
  HttpClient trusting("localhost", server->port(), Over(ClientTls(accept)));
  auto r = trusting.Get("/hello");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(std::any_cast<std::string>(trusting.peer()->claims), "mrenclave-ok");

  TlsClientOptions refuse;
  refuse.verifier = [](const CertificateChain&, std::any&) -> Status {
    return PermissionDenied("quote MRENCLAVE 1234 is not in the policy");
  };
  HttpClient refusing("localhost", server->port(), Over(ClientTls(refuse)));
  auto refused = refusing.Get("/hello");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("quote MRENCLAVE 1234 is not in the policy"), std::string::npos)
      << refused.status().message();

  // A pinned root alone does not accept a self-signed peer.
  HttpClient pinned("localhost", server->port(), Over(PinnedClient(*pki_)));
  EXPECT_EQ(pinned.Get("/hello").status().code(), StatusCode::kPermissionDenied);
}

TEST_F(HttpsTest, ServerVerifierAuthorisesClientsAndExposesClaims) {
  TestIdentity enclave = MakeSelfSigned("enclave-a", "");
  TestIdentity intruder = MakeSelfSigned("intruder", "");
  TlsServerOptions tls;
  tls.client_certificate = ClientCertificateMode::kRequire;
  tls.verifier = [&](const CertificateChain& chain, std::any& claims) -> Status {
    if (chain.empty() || chain[0] != enclave.certificate_der) return PermissionDenied("unknown enclave");
    claims = std::string("enclave-a");
    return Status::Ok();
  };
  auto server = StartTls(tls);

  HttpClient good("localhost", server->port(), Over(PinnedClient(*pki_, &enclave)));
  auto r = good.Get("/peer");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "1 enclave-a");

  HttpClient bad("localhost", server->port(), Over(PinnedClient(*pki_, &intruder)));
  EXPECT_FALSE(bad.Get("/peer").ok());
}

TEST_F(HttpsTest, OptionalClientCertificate) {
  TlsServerOptions tls;
  tls.client_certificate = ClientCertificateMode::kRequest;
  tls.client_root_pem = pki_->ca.certificate_pem;
  auto server = StartTls(tls);
  HttpClient anonymous("localhost", server->port(), Over(PinnedClient(*pki_)));
  auto a = anonymous.Get("/peer");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->body, "0 ");
  HttpClient named("localhost", server->port(), Over(PinnedClient(*pki_, &pki_->client)));
  auto n = named.Get("/peer");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->body, "1 ");
}

TEST_F(HttpsTest, CertificateReplacementKeepsLiveConnections) {
  auto server = StartTls();
  HttpClient old_client("localhost", server->port(), Over(PinnedClient(*pki_)));
  ASSERT_TRUE(old_client.Get("/hello").ok());

  ASSERT_TRUE(server->ReplaceTlsContext(ServerTls(other_->server)).ok());

  auto still = old_client.Get("/hello");  // the established connection keeps working
  ASSERT_TRUE(still.ok()) << still.status().ToString();
  EXPECT_EQ(old_client.connections_opened(), 1u);

  HttpClient new_old_root("localhost", server->port(), Over(PinnedClient(*pki_)));
  EXPECT_EQ(new_old_root.Get("/hello").status().code(), StatusCode::kPermissionDenied);
  HttpClient new_new_root("localhost", server->port(), Over(PinnedClient(*other_)));
  auto renewed = new_new_root.Get("/hello");
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  EXPECT_EQ(new_new_root.peer()->chain[0], other_->server.certificate_der);

  auto client_ctx = PinnedClient(*pki_);
  EXPECT_EQ(server->ReplaceTlsContext(client_ctx).code(), StatusCode::kInvalidArgument);
}

TEST_F(HttpsTest, OversizedBodyGets413AndTheClientRecovers) {
  HttpServerOptions o;
  o.max_body_bytes = 4096;
  auto server = StartTls({}, o);
  HttpClient client("localhost", server->port(), Over(PinnedClient(*pki_)));
  auto big = client.Post("/echo", std::string(100000, 'x'), "text/plain");
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(big->body, "{\"error\":\"request body exceeds 4096 bytes\"}");
  auto next = client.Post("/echo", "small", "text/plain");
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->body, "small");
}

TEST_F(HttpsTest, ClientLimitsResponseSize) {
  auto server = StartTls();
  HttpClientOptions o = Over(PinnedClient(*pki_));
  o.max_response_body_bytes = 10;
  HttpClient client("localhost", server->port(), o);
  auto r = client.Post("/echo", std::string(100, 'y'), "text/plain");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("exceeds 10 bytes"), std::string::npos);
}

TEST_F(HttpsTest, StalledHandshakeIsTimedOutAndClientTimesOutToo) {
  HttpServerOptions o;
  o.handshake_timeout = 300ms;
  auto server = StartTls({}, o);
  RawConnection silent(server->port(), 5s);
  bool closed = false;
  silent.ReadAll(&closed);
  EXPECT_TRUE(closed) << "a connection that never started TLS stayed open";

  // A listener that never answers: the client's connect timeout (TLS handshake) must fire.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor mute(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  HttpClientOptions co = Over(PinnedClient(*pki_));
  co.connect_timeout = 200ms;
  HttpClient client("localhost", mute.local_endpoint().port(), co);
  auto r = client.Get("/hello");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status().ToString();
}

TEST_F(HttpsTest, ManyConcurrentTlsClients) {
  HttpServerOptions o;
  o.io_threads = 2;
  auto server = StartTls({}, o);
  auto tls = PinnedClient(*pki_);
  constexpr int kClients = 16, kRequests = 10;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      HttpClient client("localhost", server->port(), Over(tls));
      for (int i = 0; i < kRequests; ++i) {
        std::string body = std::to_string(c) + ":" + std::to_string(i);
        auto r = client.Post("/echo", body, "text/plain");
        if (r.ok() && r->body == body) ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), kClients * kRequests);
}

}  // namespace
}  // namespace s3ml::net
