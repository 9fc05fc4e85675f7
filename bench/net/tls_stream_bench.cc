// tls_stream_bench: one-way TLS 1.3 transfers over loopback, net::TlsStream against
// asio::ssl::stream (Beast's ssl_stream, what s3ml used before) as the baseline in the same
// process. Both ends run on one thread and one io_context, so the figure is the CPU cost of
// moving N bytes through TLS (encryption, copies, socket calls, scheduling), without wake-ups.
// Sizes: a small request, one record, the two serving tensors (MobileNet v1 0.25: 49,152 bytes,
// v2: 150,528) and a large body. Prints the median of --rounds transfers per size and the ratio.
// Then round trips as in serving: the client (this thread) sends N bytes, the server (its own
// thread and io_context) reads them, computes for a while and answers 1 KiB; plain TCP is the floor
// there, wake-ups included. The last two rows compute for as long as the serving models' inferences
// (MobileNet v1 0.25 ~0.62 ms, v2 ~10 ms), after which the client's core has gone idle.
#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
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
#include <thread>
#include <type_traits>
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

template <class Stream>
struct StreamPair {
  TlsPeerState server_state, client_state;  // the TLS streams' verification results; outlive them
  std::unique_ptr<Stream> server, client;
};

// Connects a (server, client) pair of Stream and handshakes the TLS ones; the two io_contexts may
// be one.
template <class Stream>
std::unique_ptr<StreamPair<Stream>> MakePair(const testing::TestTlsContexts& tls, asio::io_context& server_ioc,
                                             asio::io_context& client_ioc) {
  auto [server_socket, client_socket] = testing::ConnectedLoopbackPair(client_ioc);
  tcp::socket moved(server_ioc, tcp::v4(), server_socket.release());
  auto pair = std::make_unique<StreamPair<Stream>>();
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    pair->server = std::make_unique<Stream>(std::move(moved));
    pair->client = std::make_unique<Stream>(std::move(client_socket));
  } else {
    pair->server = std::make_unique<Stream>(beast::tcp_stream(std::move(moved)), tls.server->asio_context());
    pair->client = std::make_unique<Stream>(beast::tcp_stream(std::move(client_socket)), tls.client->asio_context());
    Stream* server = pair->server.get();
    Stream* client = pair->client.get();
    if (!tls.server->PrepareConnection(server->native_handle(), &pair->server_state, "").ok() ||
        !tls.client->PrepareConnection(client->native_handle(), &pair->client_state, "localhost").ok()) {
      std::abort();
    }
    beast::error_code server_ec, client_ec;
    server->async_handshake(asio::ssl::stream_base::server, [&](beast::error_code ec) { server_ec = ec; });
    client->async_handshake(asio::ssl::stream_base::client, [&](beast::error_code ec) { client_ec = ec; });
    if (&server_ioc == &client_ioc) {
      client_ioc.run();
    } else {
      std::thread server_thread([&] { server_ioc.run(); });
      client_ioc.run();
      server_thread.join();
    }
    if (server_ec || client_ec) {
      std::fprintf(stderr, "handshake failed: %s / %s\n", server_ec.message().c_str(), client_ec.message().c_str());
      std::abort();
    }
    server_ioc.restart();
    client_ioc.restart();
  }
  return pair;
}

// Times `rounds` transfers of each size from client to server, both on one thread; returns the
// median microseconds per size.
template <class Stream>
std::vector<double> Measure(const testing::TestTlsContexts& tls, const std::vector<size_t>& sizes, int rounds) {
  asio::io_context ioc(1);
  const auto pair = MakePair<Stream>(tls, ioc, ioc);
  Stream& server = *pair->server;
  Stream& client = *pair->client;
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

// Round trips over one connection: `size` bytes out and 1 KiB back, the server on its own thread
// keeping its core busy for `compute` (as an inference would) before it answers.
class RoundTrips {
 public:
  virtual ~RoundTrips() = default;
  virtual double OnceMicros() = 0;  // one round trip
};

template <class Stream>
class RoundTripsOver final : public RoundTrips {
 public:
  RoundTripsOver(const testing::TestTlsContexts& tls, size_t size, std::chrono::microseconds compute)
      : pair_(MakePair<Stream>(tls, server_ioc_, client_ioc_)),
        data_(size, 'x'),
        received_(size, '\0'),
        compute_(compute),
        work_(server_ioc_.get_executor()) {
    Serve();
    server_thread_ = std::thread([this] { server_ioc_.run(); });
  }
  ~RoundTripsOver() override {
    work_.reset();
    server_ioc_.stop();
    server_thread_.join();
  }

  double OnceMicros() override {
    const auto start = Clock::now();
    beast::error_code write_ec, read_ec;
    asio::async_write(*pair_->client, asio::buffer(data_), [&](beast::error_code ec, size_t) {
      write_ec = ec;
      asio::async_read(*pair_->client, asio::buffer(answer_received_), [&](beast::error_code ec, size_t) { read_ec = ec; });
    });
    client_ioc_.restart();
    client_ioc_.run();
    if (write_ec || read_ec || answer_received_ != answer_) std::abort();
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  }

 private:
  void Serve() {
    asio::async_read(*pair_->server, asio::buffer(received_), [this](beast::error_code ec, size_t) {
      if (ec == asio::error::operation_aborted) return;
      if (ec || received_ != data_) std::abort();
      const auto until = Clock::now() + compute_;
      while (Clock::now() < until) {
      }
      asio::async_write(*pair_->server, asio::buffer(answer_), [this](beast::error_code ec, size_t) {
        if (ec) std::abort();
        Serve();
      });
    });
  }

  asio::io_context server_ioc_{1}, client_ioc_{1};
  std::unique_ptr<StreamPair<Stream>> pair_;
  const std::string data_;
  std::string received_;
  const std::string answer_ = std::string(1024, 'a');
  std::string answer_received_ = std::string(1024, '\0');
  const std::chrono::microseconds compute_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread server_thread_;
};

// Medians (microseconds) of `rounds` round trips over each of `connections`, taken in turn so that
// all see the same machine.
std::vector<double> MedianRoundTrips(const std::vector<std::unique_ptr<RoundTrips>>& connections, int rounds) {
  std::vector<std::vector<double>> micros(connections.size());
  for (int round = -5; round < rounds; ++round) {  // 5 warm-up rounds
    for (size_t i = 0; i < connections.size(); ++i) {
      const double us = connections[i]->OnceMicros();
      if (round >= 0) micros[i].push_back(us);
    }
  }
  std::vector<double> medians;
  for (auto& m : micros) {
    std::sort(m.begin(), m.end());
    medians.push_back(m[m.size() / 2]);
  }
  return medians;
}

int Main(int argc, char** argv) {
  int rounds = 2000;
  int round_trips = 300;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::max(1, std::atoi(argv[i + 1]));
    if (std::strcmp(argv[i], "--round-trips") == 0) round_trips = std::max(1, std::atoi(argv[i + 1]));
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
  std::printf("\nround trip: N bytes out, compute, 1 KiB back; server on its own thread; median of %d,\n"
              "the three connections in turn; TCP and TLS columns: microseconds beyond the compute\n",
              round_trips);
  std::printf("%10s %12s %12s %22s %16s %8s\n", "bytes", "compute (us)", "TCP", "asio ssl_stream", "TlsStream",
              "ratio");
  using std::chrono::microseconds;
  const std::pair<size_t, microseconds> cases[] = {{1024, microseconds(0)},      {49152, microseconds(0)},
                                                   {150528, microseconds(0)},    {600000, microseconds(0)},
                                                   {49152, microseconds(620)},   {150528, microseconds(10000)}};
  for (const auto& [size, compute] : cases) {
    std::vector<std::unique_ptr<RoundTrips>> connections;
    connections.push_back(std::make_unique<RoundTripsOver<beast::tcp_stream>>(tls, size, compute));
    connections.push_back(std::make_unique<RoundTripsOver<beast::ssl_stream<beast::tcp_stream>>>(tls, size, compute));
    connections.push_back(std::make_unique<RoundTripsOver<TlsStream>>(tls, size, compute));
    const std::vector<double> m = MedianRoundTrips(connections, round_trips);
    const double c = static_cast<double>(compute.count());
    std::printf("%10zu %12.0f %12.1f %22.1f %16.1f %8.2f\n", size, c, m[0] - c, m[1] - c, m[2] - c,
                (m[2] - c) / (m[1] - c));
  }
  return 0;
}

}  // namespace
}  // namespace s3ml::net

int main(int argc, char** argv) { return s3ml::net::Main(argc, argv); }
