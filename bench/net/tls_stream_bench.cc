// tls_stream_bench: one-way TLS 1.3 transfers over loopback, net::TlsStream against
// asio::ssl::stream (Beast's ssl_stream, what s3ml used before) as the baseline in the same
// process. Both ends run on one thread and one io_context, so the figure is the CPU cost of
// moving N bytes through TLS (encryption, copies, socket calls, scheduling), without wake-ups.
// Sizes: a small request, one record, the two serving tensors (MobileNet v1 0.25: 49,152 bytes,
// v2: 150,528) and a large body. Prints the median of --rounds transfers per size and the ratio.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "net/tls_context.h"
#include "net/tls_stream.h"
#include "tests/net/test_certificates.h"
#include "tests/net/test_tls.h"

namespace s3ml::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Handshakes a (server, client) pair of Stream, then times `rounds` transfers of each size from
// client to server; returns the median microseconds per size.
template <class Stream>
std::vector<double> Measure(const testing::TestTlsContexts& tls, const std::vector<size_t>& sizes, int rounds) {
  asio::io_context ioc(1);
  auto [server_socket, client_socket] = testing::ConnectedLoopbackPair(ioc);
  Stream server(beast::tcp_stream(std::move(server_socket)), tls.server->asio_context());
  Stream client(beast::tcp_stream(std::move(client_socket)), tls.client->asio_context());
  TlsPeerState server_state, client_state;
  if (!tls.server->PrepareConnection(server.native_handle(), &server_state, "").ok() ||
      !tls.client->PrepareConnection(client.native_handle(), &client_state, "localhost").ok()) {
    std::abort();
  }
  beast::error_code server_ec, client_ec;
  server.async_handshake(asio::ssl::stream_base::server, [&](beast::error_code ec) { server_ec = ec; });
  client.async_handshake(asio::ssl::stream_base::client, [&](beast::error_code ec) { client_ec = ec; });
  ioc.run();
  if (server_ec || client_ec) {
    std::fprintf(stderr, "handshake failed: %s / %s\n", server_ec.message().c_str(), client_ec.message().c_str());
    std::abort();
  }

  std::vector<double> medians;
  for (size_t size : sizes) {
    const std::string data(size, 'x');
    std::string received(size, '\0');
    std::vector<double> micros;
    for (int round = -5; round < rounds; ++round) {  // 5 warm-up transfers
      const auto start = Clock::now();
      beast::error_code write_ec, read_ec;
      asio::async_write(client, asio::buffer(data), [&](beast::error_code ec, size_t) { write_ec = ec; });
      asio::async_read(server, asio::buffer(received), [&](beast::error_code ec, size_t) { read_ec = ec; });
      ioc.restart();
      ioc.run();
      if (write_ec || read_ec || received != data) std::abort();
      if (round >= 0) micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
    std::sort(micros.begin(), micros.end());
    medians.push_back(micros[micros.size() / 2]);
  }
  return medians;
}

int Main(int argc, char** argv) {
  int rounds = 2000;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::max(1, std::atoi(argv[i + 1]));
  }
  const std::vector<size_t> sizes = {1024, 16384, 49152, 150528, 600000};
  const testing::TestTlsContexts tls = testing::MakeTestTlsContexts(testing::MakeTestPki("bench"));
  const auto baseline = Measure<beast::ssl_stream<beast::tcp_stream>>(tls, sizes, rounds);
  const auto ours = Measure<TlsStream>(tls, sizes, rounds);
  std::printf("tls_stream_bench: one-way transfer over loopback TLS 1.3, one thread, median of %d\n", rounds);
  std::printf("%10s %22s %16s %8s\n", "bytes", "asio ssl_stream (us)", "TlsStream (us)", "ratio");
  for (size_t i = 0; i < sizes.size(); ++i) {
    std::printf("%10zu %22.1f %16.1f %8.2f\n", sizes[i], baseline[i], ours[i], ours[i] / baseline[i]);
  }
  return 0;
}

}  // namespace
}  // namespace s3ml::net

int main(int argc, char** argv) { return s3ml::net::Main(argc, argv); }
