// TlsStream on a real loopback TCP connection: data of every size around the record and write
// limits in both directions, buffer sequences, completion rules, and how the connection's end,
// tampered records and non-TLS peers are reported.
#include "net/tls_stream.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <openssl/ssl.h>
#include <array>
#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "net/tls_context.h"
#include "tests/net/test_certificates.h"
#include "tests/net/test_tls.h"

namespace s3ml::net {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

class TlsStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = testing::MakeTestPki();
    testing::TestTlsContexts contexts = testing::MakeTestTlsContexts(pki_);
    server_tls_ = contexts.server;
    client_tls_ = contexts.client;
  }

  std::pair<tcp::socket, tcp::socket> Connect() { return testing::ConnectedLoopbackPair(ioc_); }

  void MakeStreams(const std::shared_ptr<const TlsContext>& client_tls) {
    auto [server_socket, client_socket] = Connect();
    server_ = std::make_unique<TlsStream>(boost::beast::tcp_stream(std::move(server_socket)),
                                          server_tls_->asio_context());
    client_ = std::make_unique<TlsStream>(boost::beast::tcp_stream(std::move(client_socket)),
                                          client_tls->asio_context());
    ASSERT_TRUE(server_tls_->PrepareConnection(server_->native_handle(), &server_state_, "").ok());
    ASSERT_TRUE(client_tls->PrepareConnection(client_->native_handle(), &client_state_, "localhost").ok());
  }

  // Runs both handshakes; returns (server result, client result).
  std::pair<error_code, error_code> Handshake(const std::shared_ptr<const TlsContext>& client_tls) {
    MakeStreams(client_tls);
    error_code server_ec = asio::error::would_block, client_ec = asio::error::would_block;
    server_->async_handshake(asio::ssl::stream_base::server, [&](error_code ec) { server_ec = ec; });
    client_->async_handshake(asio::ssl::stream_base::client, [&](error_code ec) { client_ec = ec; });
    Run();
    return {server_ec, client_ec};
  }

  void Connected() {
    auto [server_ec, client_ec] = Handshake(client_tls_);
    ASSERT_FALSE(server_ec) << server_ec.message();
    ASSERT_FALSE(client_ec) << client_ec.message();
  }

  void Run() {
    ioc_.restart();
    ioc_.run_for(20s);
  }

  // Sends `data` from `from` and reads exactly as many bytes at `to`.
  std::string Transfer(TlsStream& from, TlsStream& to, const std::string& data) {
    std::string received(data.size(), '\0');
    error_code write_ec = asio::error::would_block, read_ec = asio::error::would_block;
    asio::async_write(from, asio::buffer(data), [&](error_code ec, size_t) { write_ec = ec; });
    asio::async_read(to, asio::buffer(received), [&](error_code ec, size_t) { read_ec = ec; });
    Run();
    EXPECT_FALSE(write_ec) << write_ec.message();
    EXPECT_FALSE(read_ec) << read_ec.message();
    return received;
  }

  error_code ReadOnce(TlsStream& stream) {
    error_code result = asio::error::would_block;
    stream.async_read_some(asio::buffer(scratch_), [&](error_code ec, size_t) { result = ec; });
    Run();
    return result;
  }

  asio::io_context ioc_;
  testing::TestPki pki_;
  std::shared_ptr<const TlsContext> server_tls_;
  std::shared_ptr<const TlsContext> client_tls_;
  TlsPeerState server_state_;
  TlsPeerState client_state_;
  std::unique_ptr<TlsStream> server_;
  std::unique_ptr<TlsStream> client_;
  std::array<char, 256> scratch_{};
};

TEST_F(TlsStreamTest, CarriesDataOfEverySizeAroundRecordAndWriteLimitsBothWays) {
  Connected();
  EXPECT_EQ(SSL_version(client_->native_handle()), TLS1_3_VERSION);
  unsigned seed = 1;
  for (size_t size : {size_t{1}, size_t{16383}, size_t{16384}, size_t{16385}, TlsStream::kMaxWriteBytes - 1,
                      TlsStream::kMaxWriteBytes + 1, TlsStream::kReceiveBytes + 7, size_t{600000}}) {
    const std::string up = RandomBytes(size, ++seed);
    EXPECT_EQ(Transfer(*client_, *server_, up), up) << size << " bytes up";
    const std::string down = RandomBytes(size, ++seed);
    EXPECT_EQ(Transfer(*server_, *client_, down), down) << size << " bytes down";
  }
}

TEST_F(TlsStreamTest, BufferSequencesArriveWholeAndInOrder) {
  Connected();
  const std::string a = "header: ", b = RandomBytes(100000, 7), c = "\r\n";
  std::vector<asio::const_buffer> pieces{asio::buffer(a), asio::buffer(b), asio::buffer(c)};
  std::string received(a.size() + b.size() + c.size(), '\0');
  error_code write_ec = asio::error::would_block, read_ec = asio::error::would_block;
  asio::async_write(*client_, pieces, [&](error_code ec, size_t) { write_ec = ec; });
  asio::async_read(*server_, asio::buffer(received), [&](error_code ec, size_t) { read_ec = ec; });
  Run();
  ASSERT_FALSE(write_ec) << write_ec.message();
  ASSERT_FALSE(read_ec) << read_ec.message();
  EXPECT_EQ(received, a + b + c);
}

TEST_F(TlsStreamTest, AReadOfBufferedBytesCompletesOutsideItsInitiatingCall) {
  Connected();
  const std::string data = RandomBytes(100, 3);
  std::string first(1, '\0');
  asio::async_write(*client_, asio::buffer(data), [](error_code, size_t) {});
  asio::async_read(*server_, asio::buffer(first), [](error_code, size_t) {});
  Run();
  ASSERT_EQ(first[0], data[0]);

  // The other 99 bytes are already decrypted or buffered: no socket I/O is needed.
  bool initiated = false, ran_inside = false, completed = false;
  char next = 0;
  server_->async_read_some(asio::buffer(&next, 1), [&](error_code ec, size_t n) {
    ran_inside = !initiated;
    completed = !ec && n == 1;
  });
  initiated = true;
  Run();
  EXPECT_TRUE(completed);
  EXPECT_FALSE(ran_inside);
  EXPECT_EQ(next, data[1]);
}

TEST_F(TlsStreamTest, ThePeersCloseNotifyReadsAsEndOfFile) {
  Connected();
  error_code shutdown_ec = asio::error::would_block;
  client_->async_shutdown([&](error_code ec) { shutdown_ec = ec; });
  Run();
  ASSERT_FALSE(shutdown_ec) << shutdown_ec.message();
  EXPECT_EQ(ReadOnce(*server_), asio::error::eof);
}

TEST_F(TlsStreamTest, AConnectionEndingWithoutCloseNotifyIsTruncated) {
  Connected();
  // A FIN, not close(): closing with the server's unread session tickets would send a reset.
  client_->next_layer().socket().shutdown(tcp::socket::shutdown_send);
  EXPECT_EQ(ReadOnce(*server_), asio::ssl::error::stream_truncated);
}

TEST_F(TlsStreamTest, ATamperedRecordFailsTheReadWithAnOpenSslError) {
  Connected();
  // An application-data record of 64 bytes the client never encrypted: its tag cannot verify.
  std::string record = {0x17, 0x03, 0x03, 0x00, 0x40};
  record += RandomBytes(64, 9);
  asio::write(client_->next_layer().socket(), asio::buffer(record));
  const error_code ec = ReadOnce(*server_);
  EXPECT_EQ(ec.category(), asio::error::get_ssl_category()) << ec.message();
  // The failure sticks: a second read fails too instead of returning data.
  const error_code again = ReadOnce(*server_);
  EXPECT_TRUE(again);
  EXPECT_NE(again, asio::error::would_block) << "the second read did not complete";
  // The server's fatal alert (bad_record_mac) reached the client.
  const error_code alert = ReadOnce(*client_);
  EXPECT_EQ(alert.category(), asio::error::get_ssl_category()) << alert.message();
  EXPECT_NE(alert.message().find("bad record mac"), std::string::npos) << alert.message();
}

// A record header claiming 65,535 bytes (TLS 1.3 allows 2^14 + 256) is refused from the header
// alone: no waiting for the body, no buffer sized by the peer.
TEST_F(TlsStreamTest, AnOversizedRecordIsRefusedFromItsHeader) {
  Connected();
  const std::string header = {0x17, 0x03, 0x03, static_cast<char>(0xff), static_cast<char>(0xff)};
  asio::write(client_->next_layer().socket(), asio::buffer(header));
  const error_code ec = ReadOnce(*server_);
  EXPECT_EQ(ec.category(), asio::error::get_ssl_category()) << ec.message();
}

TEST_F(TlsStreamTest, ANonTlsPeerFailsTheHandshake) {
  auto [server_socket, client_socket] = Connect();
  TlsStream server(boost::beast::tcp_stream(std::move(server_socket)), server_tls_->asio_context());
  asio::write(client_socket, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
  error_code ec = asio::error::would_block;
  server.async_handshake(asio::ssl::stream_base::server, [&](error_code e) { ec = e; });
  Run();
  EXPECT_EQ(ec.category(), asio::error::get_ssl_category()) << ec.message();
}

TEST_F(TlsStreamTest, ARefusedCertificateFailsBothSidesOfTheHandshake) {
  const testing::TestPki other = testing::MakeTestPki("another CA");
  TlsClientOptions options;
  options.root_pem = other.ca.certificate_pem;
  auto [server_ec, client_ec] = Handshake(TlsContext::CreateClient(options).value());
  EXPECT_EQ(client_ec.category(), asio::error::get_ssl_category()) << client_ec.message();
  EXPECT_FALSE(client_state_.refusal.empty());
  // The client's alert reached the server: it fails instead of waiting.
  EXPECT_TRUE(server_ec);
  EXPECT_NE(server_ec, asio::error::would_block);
}

// TLS 1.3 KeyUpdate (RFC 8446 4.6.3) with update_requested makes the receiver write while it only
// reads. Those replies go out during the reads: they neither pile up nor get lost.
TEST_F(TlsStreamTest, KeyUpdateRepliesMadeWhileReadingAreSent) {
  Connected();
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(SSL_key_update(client_->native_handle(), SSL_KEY_UPDATE_REQUESTED), 1);
    const std::string byte(1, static_cast<char>(i));
    ASSERT_EQ(Transfer(*client_, *server_, byte), byte) << "round " << i;
  }
  EXPECT_EQ(BIO_ctrl_wpending(SSL_get_wbio(server_->native_handle())), 0u);
  // Both sides still agree on the keys, both ways.
  const std::string down = RandomBytes(40000, 11);
  EXPECT_EQ(Transfer(*server_, *client_, down), down);
  const std::string up = RandomBytes(40000, 12);
  EXPECT_EQ(Transfer(*client_, *server_, up), up);
}

// A peer may send nothing but KeyUpdate requests: the replies go out while the read waits for
// data, so they stay under the cap however many come.
TEST_F(TlsStreamTest, KeyUpdateRequestsWithoutDataDoNotPileUpReplies) {
  Connected();
  char byte = 0;
  error_code read_ec = asio::error::would_block;
  size_t read_n = 0;
  server_->async_read_some(asio::buffer(&byte, 1), [&](error_code ec, size_t n) {
    read_ec = ec;
    read_n = n;
  });
  // ~4,000 KeyUpdate records of ~27 bytes: their replies would pass the 64 KiB cap if kept.
  for (int i = 0; i < 4000; ++i) {
    ASSERT_EQ(SSL_key_update(client_->native_handle(), SSL_KEY_UPDATE_REQUESTED), 1);
    ASSERT_EQ(SSL_do_handshake(client_->native_handle()), 1);  // writes the KeyUpdate
  }
  const std::string data = "x";
  error_code write_ec = asio::error::would_block;
  asio::async_write(*client_, asio::buffer(data), [&](error_code ec, size_t) { write_ec = ec; });
  // Drain the replies raw (the client's TLS state is not needed), so the server's sends never stall.
  std::array<char, 16384> sink{};
  std::function<void()> drain = [&] {
    client_->next_layer().socket().async_read_some(asio::buffer(sink), [&](error_code ec, size_t) {
      if (!ec) drain();
    });
  };
  drain();
  ioc_.restart();
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while ((read_ec == asio::error::would_block || write_ec == asio::error::would_block) &&
         std::chrono::steady_clock::now() < deadline && ioc_.run_one_for(1s) > 0) {
  }
  ASSERT_FALSE(write_ec) << write_ec.message();
  EXPECT_FALSE(read_ec) << read_ec.message();
  EXPECT_EQ(read_n, 1u);
  EXPECT_EQ(byte, 'x');
  EXPECT_EQ(BIO_ctrl_wpending(SSL_get_wbio(server_->native_handle())), 0u);
}

// One operation at a time: a write started while a read waits fails at once with in_progress,
// and the read still gets its data.
TEST_F(TlsStreamTest, AnOperationBesideAnOutstandingOneFailsWithInProgress) {
  Connected();
  char byte = 0;
  error_code read_ec = asio::error::would_block, write_ec = asio::error::would_block;
  server_->async_read_some(asio::buffer(&byte, 1), [&](error_code ec, size_t) { read_ec = ec; });
  const std::string reply = "too early";
  server_->async_write_some(asio::buffer(reply), [&](error_code ec, size_t) { write_ec = ec; });
  ioc_.restart();
  ioc_.poll();
  EXPECT_EQ(write_ec, asio::error::in_progress);
  EXPECT_EQ(read_ec, asio::error::would_block) << "the read must still be waiting";

  const std::string data = "y";
  asio::async_write(*client_, asio::buffer(data), [](error_code, size_t) {});
  Run();
  EXPECT_FALSE(read_ec) << read_ec.message();
  EXPECT_EQ(byte, 'y');
  // Afterwards the stream takes operations again.
  EXPECT_EQ(Transfer(*server_, *client_, reply), reply);
}

}  // namespace
}  // namespace s3ml::net
