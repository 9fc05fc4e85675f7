// HttpServer over plaintext loopback: routing, limits, malformed input, timeouts, asynchronous
// handlers, concurrency and graceful shutdown. TLS-specific behaviour is in https_test.cc.
#include "net/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "net/http_client.h"
#include "tests/net/test_server.h"

namespace s3ml::net {
namespace {

using namespace std::chrono_literals;
using testing::EchoRouter;
using testing::RawConnection;
using testing::StartServer;
using testing::StatusOf;

HttpServerOptions SmallLimits() {
  HttpServerOptions o;
  o.max_body_bytes = 1024;
  o.max_header_bytes = 2048;
  return o;
}

void ExpectServing(uint16_t port) {
  HttpClient client("127.0.0.1", port);
  auto r = client.Get("/hello");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
}

TEST(HttpServerTest, RoutesWithPathParametersAndJsonErrors) {
  Router router = EchoRouter();
  ASSERT_TRUE(router
                  .Add("POST", "/v2/models/{name}/versions/{version}/infer",
                       [](HttpRequest req, HttpResponder respond) {
                         respond(HttpResponse::Json(
                             200, "{\"model\":\"" + std::string(req.PathParam("name")) + "\",\"version\":\"" +
                                      std::string(req.PathParam("version")) + "\",\"query\":\"" + req.query + "\"}"));
                       })
                  .ok());
  auto server = StartServer({}, std::move(router));
  HttpClient client("127.0.0.1", server->port());

  auto infer = client.Post("/v2/models/resnet/versions/7/infer?trace=1", "{}");
  ASSERT_TRUE(infer.ok()) << infer.status().ToString();
  EXPECT_EQ(infer->status, 200);
  EXPECT_EQ(infer->body, "{\"model\":\"resnet\",\"version\":\"7\",\"query\":\"trace=1\"}");
  EXPECT_EQ(infer->headers.Get("Content-Type"), "application/json");

  auto missing = client.Get("/v2/nothing");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "{\"error\":\"no route for GET /v2/nothing\"}");

  auto wrong_method = client.Get("/v2/models/resnet/versions/7/infer");
  ASSERT_TRUE(wrong_method.ok());
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->headers.Get("Allow"), "POST");
  EXPECT_NE(wrong_method->body.find("\"error\""), std::string::npos);
  EXPECT_EQ(client.connections_opened(), 1u);  // error responses keep the connection alive
}

TEST(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto server = StartServer({}, EchoRouter());
  HttpClient client("127.0.0.1", server->port());
  for (int i = 0; i < 100; ++i) {
    auto r = client.Post("/echo", "message " + std::to_string(i), "text/plain");
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->body, "message " + std::to_string(i));
  }
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_EQ(server->stats().connections_accepted, 1u);
  EXPECT_EQ(server->stats().responses_sent, 100u);
}

TEST(HttpServerTest, OversizedContentLengthGets413BeforeTheBodyIsRead) {
  auto server = StartServer(SmallLimits(), EchoRouter());
  RawConnection raw(server->port());
  // Only the header is sent: the server must answer from Content-Length alone.
  ASSERT_TRUE(raw.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"));
  std::string response = raw.ReadResponse();
  EXPECT_EQ(StatusOf(response), 413) << response;
  EXPECT_NE(response.find("{\"error\":\"request body exceeds 1024 bytes\"}"), std::string::npos) << response;
  ExpectServing(server->port());
}

TEST(HttpServerTest, OversizedChunkedBodyGets413WhileReading) {
  auto server = StartServer(SmallLimits(), EchoRouter());
  {
    RawConnection ok(server->port());
    ASSERT_TRUE(ok.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
    std::string response = ok.ReadResponse();
    EXPECT_EQ(StatusOf(response), 200) << response;
    EXPECT_NE(response.find("hello world"), std::string::npos);
  }
  RawConnection raw(server->port());
  std::string chunk(600, 'a');
  ASSERT_TRUE(raw.Send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  ASSERT_TRUE(raw.Send("258\r\n" + chunk + "\r\n"));  // 0x258 = 600
  raw.Send("258\r\n" + chunk + "\r\n");                  // the server may already have closed
  std::string response = raw.ReadResponse();
  EXPECT_EQ(StatusOf(response), 413) << response;
  ExpectServing(server->port());
}

TEST(HttpServerTest, HugeHeaderGets431) {
  auto server = StartServer(SmallLimits(), EchoRouter());
  RawConnection raw(server->port());
  ASSERT_TRUE(raw.Send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'b') + "\r\n\r\n"));
  std::string response = raw.ReadResponse();
  EXPECT_EQ(StatusOf(response), 431) << response;
  EXPECT_NE(response.find("request header exceeds 2048 bytes"), std::string::npos);
  ExpectServing(server->port());
}

TEST(HttpServerTest, MalformedRequestsGet400AndTheServerKeepsServing) {
  auto server = StartServer({}, EchoRouter());
  for (const char* bad : {"GARBAGE\r\n\r\n", "GET /hello HTTP/9.9\r\n\r\n", "GET /hello HTTP/1.1\r\nBad Header\r\n\r\n",
                          "POST /echo HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                          "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    RawConnection raw(server->port());
    ASSERT_TRUE(raw.Send(bad));
    std::string response = raw.ReadResponse();
    EXPECT_EQ(StatusOf(response), 400) << "input: " << bad << "\nresponse: " << response;
    EXPECT_NE(response.find("malformed HTTP request"), std::string::npos) << response;
  }
  ExpectServing(server->port());
}

TEST(HttpServerTest, ClientThatNeverFinishesItsRequestIsDisconnected) {
  HttpServerOptions o;
  o.request_timeout = 300ms;
  o.idle_timeout = 300ms;
  auto server = StartServer(o, EchoRouter());
  RawConnection partial(server->port(), 5s);
  ASSERT_TRUE(partial.Send("GET /hello HTTP/1.1\r\nHost: x\r\n"));  // no blank line, ever
  RawConnection silent(server->port(), 5s);
  bool closed = false;
  EXPECT_EQ(partial.ReadAll(&closed), "");
  EXPECT_TRUE(closed) << "the server kept a half-sent request open past the request timeout";
  closed = false;
  silent.ReadAll(&closed);
  EXPECT_TRUE(closed) << "the server kept a silent connection open";
  ExpectServing(server->port());
}

// With a loop per IO thread, a handler that blocks holds up only its own thread's connections:
// a separate thread still accepts, and the next connection lands on the other IO thread.
TEST(HttpServerTest, ABlockingHandlerLeavesTheOtherLoopAndAcceptingFree) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> entered;
  Router router = EchoRouter();
  ASSERT_TRUE(router
                  .Add("GET", "/block",
                       [&](HttpRequest, HttpResponder respond) {
                         entered.set_value();
                         released.wait();
                         respond(HttpResponse::Text(200, "released"));
                       })
                  .ok());
  HttpServerOptions o;
  o.io_threads = 2;
  o.context_per_thread = true;
  auto server = StartServer(o, std::move(router));

  auto blocked = std::async(std::launch::async, [&] {
    HttpClient client("127.0.0.1", server->port());
    return client.Get("/block");
  });
  ASSERT_EQ(entered.get_future().wait_for(10s), std::future_status::ready);
  ExpectServing(server->port());  // accepted, and served by the other loop
  release.set_value();
  auto r = blocked.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "released");
  EXPECT_EQ(server->stats().connections_accepted, 2u);
}

TEST(HttpServerTest, HandlerCompletesAsynchronouslyFromAnotherThread) {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<std::string, HttpResponder>> queue;
  bool stop = false;
  std::thread worker([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      cv.wait(lock, [&] { return stop || !queue.empty(); });
      if (queue.empty()) return;
      auto [body, respond] = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      std::this_thread::sleep_for(10ms);  // work that must not block an IO thread
      respond(HttpResponse::Text(200, "worker saw " + body));
      lock.lock();
    }
  });
  Router router;
  ASSERT_TRUE(router
                  .Add("POST", "/batch",
                       [&](HttpRequest req, HttpResponder respond) {
                         std::lock_guard<std::mutex> lock(mu);
                         queue.emplace_back(std::move(req.body), std::move(respond));
                         cv.notify_one();
                       })
                  .ok());
  ASSERT_TRUE(router.Add("GET", "/drop", [](HttpRequest, HttpResponder) {}).ok());
  ASSERT_TRUE(router.Add("GET", "/throw", [](HttpRequest, HttpResponder) { throw std::runtime_error("kaput"); }).ok());
  HttpServerOptions o;
  o.io_threads = 1;  // the worker must not need a second IO thread to be answered
  auto server = StartServer(o, std::move(router));

  std::vector<std::thread> clients;
  std::atomic<int> good{0};
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      HttpClient client("127.0.0.1", server->port());
      for (int i = 0; i < 5; ++i) {
        std::string body = std::to_string(c) + "/" + std::to_string(i);
        auto r = client.Post("/batch", body, "text/plain");
        if (r.ok() && r->status == 200 && r->body == "worker saw " + body) ++good;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(good.load(), 20);

  HttpClient client("127.0.0.1", server->port());
  auto dropped = client.Get("/drop");
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->status, 500);
  EXPECT_NE(dropped->body.find("without a response"), std::string::npos);
  auto thrown = client.Get("/throw");
  ASSERT_TRUE(thrown.ok());
  EXPECT_EQ(thrown->status, 500);
  EXPECT_NE(thrown->body.find("kaput"), std::string::npos);

  {
    std::lock_guard<std::mutex> lock(mu);
    stop = true;
  }
  cv.notify_one();
  worker.join();
}

TEST(HttpServerTest, ManyConcurrentClients) {
  HttpServerOptions o;
  o.io_threads = 2;
  auto server = StartServer(o, EchoRouter());
  constexpr int kClients = 32, kRequests = 20;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      HttpClient client("127.0.0.1", server->port());
      for (int i = 0; i < kRequests; ++i) {
        std::string body = "client " + std::to_string(c) + " request " + std::to_string(i);
        auto r = client.Post("/echo", body, "text/plain");
        if (r.ok() && r->status == 200 && r->body == body) ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), kClients * kRequests);
  EXPECT_EQ(server->stats().connections_accepted, static_cast<uint64_t>(kClients));
}

TEST(HttpServerTest, ExpectContinueIsHonoured) {
  auto server = StartServer({}, EchoRouter());
  RawConnection raw(server->port());
  ASSERT_TRUE(raw.Send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  std::string interim = raw.ReadResponse();
  EXPECT_EQ(StatusOf(interim), 100) << interim;
  ASSERT_TRUE(raw.Send("abcde"));
  std::string response = raw.ReadResponse();
  EXPECT_EQ(StatusOf(response), 200) << response;
  EXPECT_NE(response.find("abcde"), std::string::npos);
}

TEST(HttpServerTest, GracefulShutdownFinishesInFlightAndClosesIdle) {
  std::promise<void> entered;
  std::promise<HttpResponder> held;
  Router router = EchoRouter();
  ASSERT_TRUE(router
                  .Add("GET", "/slow",
                       [&](HttpRequest, HttpResponder respond) {
                         held.set_value(respond);
                         entered.set_value();
                       })
                  .ok());
  auto server = StartServer({}, std::move(router));
  const uint16_t port = server->port();

  RawConnection idle(port);
  ASSERT_TRUE(idle.Send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(StatusOf(idle.ReadResponse()), 200);  // now an idle keep-alive connection

  std::future<Result<HttpResponse>> slow = std::async(std::launch::async, [port] {
    HttpClient client("127.0.0.1", port);
    return client.Get("/slow");
  });
  entered.get_future().wait();
  std::thread finisher([responder = held.get_future().get()] {
    std::this_thread::sleep_for(200ms);  // answers while Shutdown waits
    responder(HttpResponse::Text(200, "finished"));
  });
  server->Shutdown(10s);
  finisher.join();

  Result<HttpResponse> r = slow.get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "finished");
  EXPECT_EQ(r->headers.Get("Connection"), "close");
  bool closed = false;
  idle.ReadAll(&closed);
  EXPECT_TRUE(closed);
  HttpClient late("127.0.0.1", port);
  EXPECT_EQ(late.Get("/hello").status().code(), StatusCode::kUnavailable);
}

TEST(HttpServerTest, ShutdownGraceIsBoundedAndLateAnswersAreDropped) {
  std::promise<HttpResponder> held;
  std::promise<void> entered;
  Router router;
  ASSERT_TRUE(router
                  .Add("GET", "/never",
                       [&](HttpRequest, HttpResponder respond) {
                         held.set_value(respond);
                         entered.set_value();
                       })
                  .ok());
  auto server = StartServer({}, std::move(router));
  const uint16_t port = server->port();
  std::future<Result<HttpResponse>> stuck = std::async(std::launch::async, [port] {
    HttpClient client("127.0.0.1", port);
    return client.Get("/never");
  });
  entered.get_future().wait();
  server->Shutdown(100ms);
  EXPECT_FALSE(stuck.get().ok());  // the connection was closed, not answered
  server.reset();
  HttpResponder late = held.get_future().get();
  late(HttpResponse::Text(200, "too late"));  // must be a harmless no-op now
  EXPECT_TRUE(late.answered());
}

TEST(HttpClientTest, ReconnectsWhenTheServerClosedAnIdleConnection) {
  HttpServerOptions o;
  o.idle_timeout = 100ms;
  auto server = StartServer(o, EchoRouter());
  HttpClient client("127.0.0.1", server->port());
  ASSERT_TRUE(client.Get("/hello").ok());
  // Wait until the server has dropped the idle keep-alive connection.
  for (int i = 0; i < 500 && server->stats().open_connections > 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(server->stats().open_connections, 0u);
  auto again = client.Post("/echo", "after idle close", "text/plain");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->body, "after idle close");
  EXPECT_EQ(client.connections_opened(), 2u);
}

TEST(HttpClientTest, RequestTimeoutAndInvalidRequests) {
  std::promise<HttpResponder> held;
  Router router;
  ASSERT_TRUE(router.Add("GET", "/silent", [&](HttpRequest, HttpResponder r) { held.set_value(r); }).ok());
  auto server = StartServer({}, std::move(router));
  HttpClientOptions o;
  o.request_timeout = 200ms;
  HttpClient client("127.0.0.1", server->port(), o);
  auto r = client.Get("/silent");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded) << r.status().ToString();

  HttpRequest bad;
  bad.method = "GET";
  bad.target = "no-slash";
  EXPECT_EQ(client.Send(bad).status().code(), StatusCode::kInvalidArgument);
  bad.target = "/x";
  bad.headers.Add("X-Injected", "a\r\nEvil: 1");
  EXPECT_EQ(client.Send(bad).status().code(), StatusCode::kInvalidArgument);

  HttpClient nobody("127.0.0.1", 1);  // nothing listens on port 1
  EXPECT_EQ(nobody.Get("/").status().code(), StatusCode::kUnavailable);
}

TEST(HttpServerTest, HandlerHeadersCannotInjectLines) {
  Router router;
  ASSERT_TRUE(router
                  .Add("GET", "/inject",
                       [](HttpRequest, HttpResponder respond) {
                         HttpResponse r = HttpResponse::Text(200, "x");
                         r.headers.Add("X-Bad", "a\r\nSet-Cookie: evil");
                         respond(std::move(r));
                       })
                  .ok());
  auto server = StartServer({}, std::move(router));
  HttpClient client("127.0.0.1", server->port());
  auto r = client.Get("/inject");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  EXPECT_FALSE(r->headers.Get("Set-Cookie").has_value());
}

TEST(HttpServerTest, StartReportsBadOptions) {
  HttpServerOptions o;
  o.address = "not-an-ip";
  HttpServer bad_address(o, Router());
  EXPECT_EQ(bad_address.Start().code(), StatusCode::kInvalidArgument);
  HttpServerOptions zero;
  zero.io_threads = 0;
  HttpServer no_threads(zero, Router());
  EXPECT_EQ(no_threads.Start().code(), StatusCode::kInvalidArgument);

  auto first = StartServer({}, EchoRouter());
  HttpServerOptions taken;
  taken.port = first->port();
  HttpServer clash(taken, Router());
  Status s = clash.Start();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_EQ(first->ReplaceTlsContext(nullptr).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace s3ml::net
