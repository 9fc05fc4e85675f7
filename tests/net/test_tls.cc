#include "tests/net/test_tls.h"

#include <stdexcept>

namespace s3ml::net::testing {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

TestTlsContexts MakeTestTlsContexts(const TestPki& pki) {
  TlsServerOptions server;
  server.certificate_chain_pem = pki.server.certificate_pem;
  server.private_key_pem = pki.server.private_key_pem;
  TlsClientOptions client;
  client.root_pem = pki.ca.certificate_pem;
  auto server_tls = TlsContext::CreateServer(server);
  auto client_tls = TlsContext::CreateClient(client);
  if (!server_tls.ok()) throw std::runtime_error(server_tls.status().ToString());
  if (!client_tls.ok()) throw std::runtime_error(client_tls.status().ToString());
  return {std::move(server_tls).value(), std::move(client_tls).value()};
}

std::pair<tcp::socket, tcp::socket> ConnectedLoopbackPair(asio::io_context& ioc) {
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::socket client(ioc);
  client.connect(acceptor.local_endpoint());
  tcp::socket server = acceptor.accept();
  client.set_option(tcp::no_delay(true));
  server.set_option(tcp::no_delay(true));
  return {std::move(server), std::move(client)};
}

}  // namespace s3ml::net::testing
