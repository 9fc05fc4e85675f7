#include "net/http_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <future>
#include <thread>
#include <vector>

#include "core/log.h"
#include "core/thread_name.h"
#include "net/http_session.h"

namespace s3ml::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct HttpServer::Impl {
  Impl(HttpServerOptions options, Router router)
      : tls(options.tls), core(std::make_unique<internal::ServerCore>(std::move(options), std::move(router))) {}

  void Accept() {
    // Each connection lives on one context (round robin when there is one per thread).
    const size_t homes = contexts.size() - first_connection_context;
    asio::io_context& home = *contexts[first_connection_context + next_context++ % homes];
    acceptor->async_accept(asio::make_strand(home), [this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (ec) {
        // Out of descriptors and the like: keep accepting; established connections still work.
        Log(LogLevel::kWarning, "net", "accept failed: " + ec.message());
      } else {
        core->connections_accepted.fetch_add(1, std::memory_order_relaxed);
        std::shared_ptr<const TlsContext> current;
        {
          std::lock_guard<std::mutex> lock(tls_mu);
          current = tls;
        }
        internal::StartSession(std::move(socket), *core, std::move(current));
      }
      Accept();
    });
  }

  std::mutex tls_mu;
  std::shared_ptr<const TlsContext> tls;
  std::unique_ptr<internal::ServerCore> core;
  // contexts[0] runs the acceptor; with a context per thread it runs nothing else, so a handler
  // that blocks never delays accepting.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  size_t first_connection_context = 0;
  size_t next_context = 0;  // used on the acceptor's strand only
  std::unique_ptr<tcp::acceptor> acceptor;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool started = false;
  bool stopped = false;
  std::mutex lifecycle_mu;
};

HttpServer::HttpServer(HttpServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

HttpServer::~HttpServer() { Shutdown(std::chrono::milliseconds(0)); }

Status HttpServer::Start() {
  std::lock_guard<std::mutex> lock(impl_->lifecycle_mu);
  const HttpServerOptions& o = impl_->core->options;
  if (impl_->started) return FailedPrecondition("the server was already started");
  if (o.io_threads < 1) return InvalidArgument("io_threads must be at least 1, got " + std::to_string(o.io_threads));
  if (o.tls && !o.tls->is_server()) return InvalidArgument("the server was given a client TLS context");
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(o.address, ec);
  if (ec) return InvalidArgument("listen address '" + o.address + "' is not an IP address");

  const int threads_per_context = o.context_per_thread ? 1 : o.io_threads;
  const int context_count = o.context_per_thread ? 1 + o.io_threads : 1;
  for (int i = 0; i < context_count; ++i) {
    impl_->contexts.push_back(std::make_unique<asio::io_context>(threads_per_context));
  }
  impl_->first_connection_context = o.context_per_thread ? 1 : 0;
  impl_->acceptor = std::make_unique<tcp::acceptor>(asio::make_strand(*impl_->contexts[0]));
  tcp::endpoint endpoint(address, o.port);
  auto& acceptor = *impl_->acceptor;
  const std::string where = o.address + ":" + std::to_string(o.port);
  if (acceptor.open(endpoint.protocol(), ec)) return Unavailable("cannot open a socket for " + where + ": " + ec.message());
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec)) {
    return Unavailable("cannot set SO_REUSEADDR on " + where + ": " + ec.message());
  }
  if (acceptor.bind(endpoint, ec)) return Unavailable("cannot bind " + where + ": " + ec.message());
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) {
    return Unavailable("cannot listen on " + where + ": " + ec.message());
  }
  impl_->port = acceptor.local_endpoint(ec).port();
  if (ec) return Unavailable("cannot read the bound port of " + where + ": " + ec.message());

  impl_->started = true;
  for (auto& context : impl_->contexts) impl_->work.emplace_back(context->get_executor());
  impl_->Accept();
  for (size_t c = 0; c < impl_->contexts.size(); ++c) {
    const char* name = c < impl_->first_connection_context ? "http-accept" : "http-io";
    for (int i = 0; i < threads_per_context; ++i) {
      impl_->threads.emplace_back([ioc = impl_->contexts[c].get(), name] {
        SetCurrentThreadName(name);
        ioc->run();
      });
    }
  }
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->port; }

Status HttpServer::ReplaceTlsContext(std::shared_ptr<const TlsContext> tls) {
  if (!tls) return InvalidArgument("the replacement TLS context is null");
  if (!tls->is_server()) return InvalidArgument("the replacement TLS context is a client context");
  std::lock_guard<std::mutex> lock(impl_->tls_mu);
  if (!impl_->tls) return FailedPrecondition("the server serves plaintext HTTP; it has no TLS context to replace");
  impl_->tls = std::move(tls);
  return Status::Ok();
}

void HttpServer::Shutdown(std::chrono::milliseconds grace) {
  std::lock_guard<std::mutex> lock(impl_->lifecycle_mu);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  internal::ServerCore& core = *impl_->core;

  core.BeginDraining();
  std::promise<void> closed;
  asio::post(impl_->acceptor->get_executor(), [this, &closed] {
    boost::system::error_code ignored;
    impl_->acceptor->close(ignored);
    closed.set_value();
  });
  closed.get_future().wait();

  for (auto& session : core.Snapshot()) session->Drain();
  if (!core.WaitForNoSessions(std::chrono::steady_clock::now() + grace)) {
    for (auto& session : core.Snapshot()) session->ForceClose();
    // Closing a socket completes its pending operations promptly; this bound is only a backstop.
    if (!core.WaitForNoSessions(std::chrono::steady_clock::now() + std::chrono::seconds(2))) {
      Log(LogLevel::kDebug, "net", "connections still open at shutdown: " + std::to_string(core.SessionCount()));
    }
  }

  impl_->work.clear();
  for (auto& context : impl_->contexts) context->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
  core.gate->Close();
  // Sessions whose handler never answered hold themselves; let them go while the context exists.
  for (auto& session : core.Snapshot()) session->ReleaseSelf();
  impl_->acceptor.reset();
  impl_->contexts.clear();
}

HttpServerStats HttpServer::stats() const {
  HttpServerStats s;
  s.connections_accepted = impl_->core->connections_accepted.load();
  s.responses_sent = impl_->core->responses_sent.load();
  s.open_connections = impl_->core->SessionCount();
  return s;
}

}  // namespace s3ml::net
