// Test and benchmark helpers for TLS on loopback: the usual pair of contexts over a TestPki, and
// two connected TCP sockets to put streams on.
#ifndef S3ML_TESTS_NET_TEST_TLS_H_
#define S3ML_TESTS_NET_TEST_TLS_H_

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <utility>

#include "net/tls_context.h"
#include "tests/net/test_certificates.h"

namespace s3ml::net::testing {

struct TestTlsContexts {
  std::shared_ptr<const TlsContext> server;  // presents pki.server
  std::shared_ptr<const TlsContext> client;  // pins pki.ca, no client certificate
};

// Throws std::runtime_error if a context cannot be built.
TestTlsContexts MakeTestTlsContexts(const TestPki& pki);

// Two connected TCP sockets on 127.0.0.1 with TCP_NODELAY: (accepted side, connecting side).
std::pair<boost::asio::ip::tcp::socket, boost::asio::ip::tcp::socket> ConnectedLoopbackPair(
    boost::asio::io_context& ioc);

}  // namespace s3ml::net::testing

#endif  // S3ML_TESTS_NET_TEST_TLS_H_
