// TlsStream: TLS (OpenSSL) over a beast::tcp_stream, as an Asio async stream for Beast.
//
// Why not asio::ssl::stream: it moves ciphertext through an OpenSSL BIO pair of 17 KiB, so every
// 16 KiB record costs its own socket operation, scheduler round and two extra copies. On the
// serving path (a 150 KB tensor per request) that was most of the request's transfer time. Here
// a write encrypts up to kMaxWriteBytes of records and sends them in one socket write, and a read
// takes whatever the socket holds (up to kReceiveBytes) and decrypts as much as the caller's
// buffers hold. OpenSSL does all the cryptography; this class only moves bytes.
//
// Contract: one operation at a time, as HTTP/1.1's request and response take turns (stricter than
// asio::ssl::stream, which allows a read beside a write). An operation started while another is
// outstanding fails with asio::error::in_progress and leaves the other undisturbed. Output that
// OpenSSL makes while reading (a reply to a TLS 1.3 KeyUpdate, an alert) is sent by that read,
// before it waits for more input or completes, so it cannot pile up. Errors: the peer's
// close_notify reads as asio::error::eof, a connection that ends without one as
// asio::ssl::error::stream_truncated, OpenSSL failures in asio's SSL error category, socket errors
// (beast::error::timeout included) unchanged. async_shutdown sends close_notify and does not wait
// for the peer's.
#ifndef S3ML_NET_TLS_STREAM_H_
#define S3ML_NET_TLS_STREAM_H_

#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <memory>
#include <string>

typedef struct ssl_st SSL;

namespace s3ml::net {

class TlsStream {
 public:
  using next_layer_type = boost::beast::tcp_stream;
  using executor_type = next_layer_type::executor_type;

  // Plaintext taken per write operation: two full records. Smaller writes let the peer decrypt
  // while we encrypt; larger ones save socket calls (see kFirstWriteBytes in http_client.cc).
  static constexpr size_t kMaxWriteBytes = 32 * 1024;
  // Ciphertext taken from the socket per read operation.
  static constexpr size_t kReceiveBytes = 64 * 1024;

  // REQUIRES: `context` outlives the stream. If OpenSSL cannot make the connection object, every
  // operation fails (native_handle() is then null).
  TlsStream(next_layer_type next_layer, boost::asio::ssl::context& context);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  SSL* native_handle() { return ssl_; }
  next_layer_type& next_layer() { return next_layer_; }
  executor_type get_executor() { return next_layer_.get_executor(); }

  template <class Handler>
  auto async_handshake(boost::asio::ssl::stream_base::handshake_type type, Handler&& handler) {
    StartHandshake(type);
    return boost::asio::async_compose<Handler, void(boost::system::error_code)>(
        HandshakeOp(*this), handler, next_layer_);
  }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return boost::asio::async_compose<Handler, void(boost::system::error_code, size_t)>(
        ReadOp<MutableBuffers>(*this, buffers), handler, next_layer_);
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_compose<Handler, void(boost::system::error_code, size_t)>(
        WriteOp<ConstBuffers>(*this, buffers), handler, next_layer_);
  }

  template <class Handler>
  auto async_shutdown(Handler&& handler) {
    return boost::asio::async_compose<Handler, void(boost::system::error_code)>(ShutdownOp(*this), handler,
                                                                                next_layer_);
  }

 private:
  enum class Step { kDone, kNeedInput };
  enum class State { kStart, kReceiving, kSending, kFlushing, kFlushingToReceive, kPosted };

  // Non-template halves of the operations (tls_stream.cc).
  void StartHandshake(boost::asio::ssl::stream_base::handshake_type type);
  Step Handshake(boost::system::error_code* ec);
  // Decrypts into `out` (size bytes); *n is what was read. kNeedInput when nothing was readable.
  Step ReadPlaintext(char* out, size_t size, size_t* n, boost::system::error_code* ec);
  // Encrypts `size` bytes into the pending output.
  void Encrypt(const char* data, size_t size, boost::system::error_code* ec);
  void Shutdown(boost::system::error_code* ec);
  boost::asio::mutable_buffer ReceiveSpace();
  void Received(size_t n) { received_end_ += n; }
  static boost::system::error_code SocketEndError(const boost::system::error_code& ec);
  // SSL_get_error's verdict on an OpenSSL call that returned `ret`.
  static Step MapResult(SSL* ssl, int ret, boost::system::error_code* ec);

  boost::asio::const_buffer Output() const { return boost::asio::buffer(output_); }
  void Sent() { output_.clear(); }

  // What every operation shares: the one-at-a-time rule, and completion. An operation that did no
  // socket I/O must still not run its handler inside the initiating function (an Asio rule Beast
  // relies on), so it completes from a posted call (Post), with the result kept meanwhile.
  struct OpBase {
    explicit OpBase(TlsStream& s) : stream(s) {}
    TlsStream& stream;
    State state = State::kStart;
    bool owns_stream = false;
    boost::system::error_code result;
    size_t result_bytes = 0;

    // At the start: takes the stream, or (false) completes with in_progress.
    template <class Self>
    bool Take(Self& self) {
      if (stream.busy_) {
        Post(self, boost::asio::error::in_progress, 0);
        return false;
      }
      stream.busy_ = owns_stream = true;
      return true;
    }
    template <class Self>
    void Post(Self& self, boost::system::error_code ec, size_t bytes) {
      result = ec;
      result_bytes = bytes;
      state = State::kPosted;
      boost::asio::post(std::move(self));
    }
    template <class Self, class... Args>
    void Finish(Self& self, Args... args) {
      if (owns_stream) stream.busy_ = false;
      self.complete(args...);
    }
  };

  struct HandshakeOp : OpBase {
    using OpBase::OpBase;
    bool done = false;
    boost::system::error_code failure{};
    template <class Self>
    void operator()(Self& self, boost::system::error_code io_error = {}, size_t n = 0) {
      if (state == State::kPosted) return Finish(self, result);
      if (state == State::kStart && !Take(self)) return;
      if (state == State::kReceiving) {
        if (io_error) return Finish(self, SocketEndError(io_error));
        stream.Received(n);
      } else if (state == State::kSending) {
        stream.Sent();
        if (io_error) return Finish(self, io_error);
        if (done || failure) return Finish(self, failure);
      }
      const bool did_io = state != State::kStart;
      boost::system::error_code ec;
      Step step = stream.Handshake(&ec);
      if (!stream.output_.empty()) {  // a flight to send (an alert, when the handshake failed)
        done = step == Step::kDone && !ec;
        failure = ec;
        state = State::kSending;
        boost::asio::async_write(stream.next_layer_, stream.Output(), std::move(self));
        return;
      }
      if (step == Step::kNeedInput) {
        state = State::kReceiving;
        stream.next_layer_.async_read_some(stream.ReceiveSpace(), std::move(self));
        return;
      }
      if (!did_io) return Post(self, ec, 0);
      Finish(self, ec);
    }
  };

  template <class MutableBuffers>
  struct ReadOp : OpBase {
    ReadOp(TlsStream& s, const MutableBuffers& b) : OpBase(s), buffers(b) {}
    MutableBuffers buffers;
    template <class Self>
    void operator()(Self& self, boost::system::error_code io_error = {}, size_t n = 0) {
      if (state == State::kPosted) return Finish(self, result, result_bytes);
      if (state == State::kStart && !Take(self)) return;
      if (state == State::kFlushing) {
        stream.Sent();
        // The read's result stands; a failed send shows on the next operation.
        return Finish(self, result, result_bytes);
      }
      if (state == State::kFlushingToReceive) {
        stream.Sent();
        if (io_error) return Finish(self, io_error, size_t{0});
        state = State::kReceiving;
        stream.next_layer_.async_read_some(stream.ReceiveSpace(), std::move(self));
        return;
      }
      const bool did_io = state == State::kReceiving;
      if (did_io) {
        if (io_error) return Finish(self, SocketEndError(io_error), size_t{0});
        stream.Received(n);
      }
      size_t total = 0;
      boost::system::error_code ec;
      for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers);
           ++it) {
        boost::asio::mutable_buffer b(*it);
        if (b.size() == 0) continue;
        size_t got = 0;
        Step step = stream.ReadPlaintext(static_cast<char*>(b.data()), b.size(), &got, &ec);
        total += got;
        if (ec || step == Step::kNeedInput || got < b.size()) break;
      }
      if (total == 0 && !ec && boost::asio::buffer_size(buffers) > 0) {
        // Nothing readable yet. What the records so far made OpenSSL write goes out first, so a
        // peer sending only KeyUpdate requests cannot make it pile up.
        state = stream.output_.empty() ? State::kReceiving : State::kFlushingToReceive;
        if (state == State::kReceiving) {
          stream.next_layer_.async_read_some(stream.ReceiveSpace(), std::move(self));
        } else {
          boost::asio::async_write(stream.next_layer_, stream.Output(), std::move(self));
        }
        return;
      }
      // Bytes read count even if a later record failed: OpenSSL reports the failure again on the
      // next read.
      if (total > 0) ec = {};
      if (!stream.output_.empty()) {
        result = ec;
        result_bytes = total;
        state = State::kFlushing;
        boost::asio::async_write(stream.next_layer_, stream.Output(), std::move(self));
        return;
      }
      if (!did_io) return Post(self, ec, total);
      Finish(self, ec, total);
    }
  };

  template <class ConstBuffers>
  struct WriteOp : OpBase {
    WriteOp(TlsStream& s, const ConstBuffers& b) : OpBase(s), buffers(b) {}
    ConstBuffers buffers;
    template <class Self>
    void operator()(Self& self, boost::system::error_code io_error = {}, size_t = 0) {
      if (state == State::kPosted) return Finish(self, result, result_bytes);
      if (state == State::kSending) {
        stream.Sent();
        return Finish(self, io_error, io_error ? size_t{0} : result_bytes);
      }
      if (!Take(self)) return;
      boost::system::error_code ec;
      result_bytes = stream.EncryptFrom(buffers, &ec);
      if (ec) return Post(self, ec, 0);
      if (stream.output_.empty()) return Post(self, ec, result_bytes);
      state = State::kSending;
      boost::asio::async_write(stream.next_layer_, stream.Output(), std::move(self));
    }
  };

  struct ShutdownOp : OpBase {
    using OpBase::OpBase;
    template <class Self>
    void operator()(Self& self, boost::system::error_code io_error = {}, size_t = 0) {
      if (state == State::kPosted) return Finish(self, result);
      if (state == State::kSending) {
        stream.Sent();
        return Finish(self, io_error);
      }
      if (!Take(self)) return;
      boost::system::error_code ec;
      stream.Shutdown(&ec);
      if (ec || stream.output_.empty()) return Post(self, ec, 0);
      state = State::kSending;
      boost::asio::async_write(stream.next_layer_, stream.Output(), std::move(self));
    }
  };

  // Encrypts up to kMaxWriteBytes from the front of `buffers`; returns the plaintext bytes taken.
  // Several small buffers (an HTTP header in pieces) are joined first, so they make one record,
  // not one each.
  template <class ConstBuffers>
  size_t EncryptFrom(const ConstBuffers& buffers, boost::system::error_code* ec) {
    auto begin = boost::asio::buffer_sequence_begin(buffers);
    auto end = boost::asio::buffer_sequence_end(buffers);
    size_t count = 0;
    for (auto it = begin; it != end && count < 2; ++it) ++count;
    if (count == 1) {
      boost::asio::const_buffer b(*begin);
      const size_t size = std::min(b.size(), kMaxWriteBytes);
      if (size > 0) Encrypt(static_cast<const char*>(b.data()), size, ec);
      return *ec ? 0 : size;
    }
    staging_.clear();
    for (auto it = begin; it != end && staging_.size() < kMaxWriteBytes; ++it) {
      boost::asio::const_buffer b(*it);
      const size_t size = std::min(b.size(), kMaxWriteBytes - staging_.size());
      staging_.append(static_cast<const char*>(b.data()), size);
    }
    if (!staging_.empty()) Encrypt(staging_.data(), staging_.size(), ec);
    return *ec ? 0 : staging_.size();
  }

  friend struct TlsStreamBio;

  next_layer_type next_layer_;
  SSL* ssl_ = nullptr;
  std::unique_ptr<char[]> received_;  // ciphertext from the socket, not yet given to OpenSSL
  size_t received_begin_ = 0;
  size_t received_end_ = 0;
  std::string output_;   // ciphertext OpenSSL wrote, not yet sent
  std::string staging_;  // joined small plaintext buffers
  bool busy_ = false;    // an operation is outstanding
};

}  // namespace s3ml::net

#endif  // S3ML_NET_TLS_STREAM_H_
