#include "serving/agent_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <thread>

namespace s3ml::serving {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

AgentAnswer DrainOverrides(std::function<bool()> draining, AgentAnswer policy) {
  return [draining = std::move(draining), policy = std::move(policy)]() -> std::string {
    return draining() ? "drain\n" : policy();
  };
}

AgentAnswer FixedWeightAgentAnswer(std::function<bool()> draining) {
  return DrainOverrides(std::move(draining), [] { return std::string("up 100%\n"); });
}

// How long a peer may keep the connection open after the answer (e.g. sending HAProxy's
// agent-send string) before it is closed anyway.
constexpr std::chrono::seconds kLingerAfterAnswer{2};

struct AgentServer::Impl {
  std::string address;
  uint16_t requested_port = 0;
  AgentAnswer answer;
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  uint16_t bound_port = 0;
  std::thread thread;

  // Writes the answer, then half-closes and reads until the peer closes: closing with unread
  // input (an agent-send string) would reset the connection and could discard the answer.
  void Answer(std::shared_ptr<tcp::socket> peer) {
    auto line = std::make_shared<std::string>(answer());
    auto timer = std::make_shared<asio::steady_timer>(ioc, kLingerAfterAnswer);
    timer->async_wait([peer](boost::system::error_code) {
      boost::system::error_code ignored;
      peer->close(ignored);
    });
    asio::async_write(*peer, asio::buffer(*line), [this, peer, line, timer](boost::system::error_code error, size_t) {
      boost::system::error_code ignored;
      if (error) {
        timer->cancel();
        return;
      }
      peer->shutdown(tcp::socket::shutdown_send, ignored);
      Drain(peer, timer);
    });
  }
  void Drain(std::shared_ptr<tcp::socket> peer, std::shared_ptr<asio::steady_timer> timer) {
    auto buffer = std::make_shared<std::array<char, 256>>();
    peer->async_read_some(asio::buffer(*buffer), [this, peer, timer, buffer](boost::system::error_code error, size_t) {
      if (error) {
        timer->cancel();  // EOF (or the timer closed it): done
        return;
      }
      Drain(peer, timer);
    });
  }

  void Accept() {
    acceptor.async_accept([this](boost::system::error_code error, tcp::socket socket) {
      if (error == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!error) Answer(std::make_shared<tcp::socket>(std::move(socket)));
      Accept();
    });
  }
};

AgentServer::AgentServer(std::string address, uint16_t port, AgentAnswer answer) : impl_(std::make_unique<Impl>()) {
  impl_->address = std::move(address);
  impl_->requested_port = port;
  impl_->answer = std::move(answer);
}

AgentServer::~AgentServer() { Stop(); }

Status AgentServer::Start() {
  if (!impl_->answer) return InvalidArgument("agent server has no answer function");
  boost::system::error_code error;
  const asio::ip::address address = asio::ip::make_address(impl_->address, error);
  if (error) return InvalidArgument("agent address " + impl_->address + " is not an IP address");
  const tcp::endpoint endpoint(address, impl_->requested_port);
  impl_->acceptor.open(endpoint.protocol(), error);
  if (!error) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) impl_->acceptor.bind(endpoint, error);
  if (!error) impl_->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return Unavailable("agent port " + impl_->address + ":" + std::to_string(impl_->requested_port) +
                       " cannot be bound: " + error.message());
  }
  impl_->bound_port = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
  return Status::Ok();
}

uint16_t AgentServer::port() const { return impl_->bound_port; }

void AgentServer::Stop() {
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->ioc, [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor.close(ignored);
    impl->ioc.stop();
  });
  impl_->thread.join();
}

}  // namespace s3ml::serving
