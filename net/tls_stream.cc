#include "net/tls_stream.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace s3ml::net {

namespace asio = boost::asio;
using boost::system::error_code;

// The BIO OpenSSL reads ciphertext from and writes it to: the stream's receive buffer and
// pending output, which the socket calls read into and send from (asio's BIO pair adds a copy
// each way).
struct TlsStreamBio {
  static TlsStream* Stream(BIO* bio) { return static_cast<TlsStream*>(BIO_get_data(bio)); }

  static int Read(BIO* bio, char* out, size_t size, size_t* read) {
    BIO_clear_retry_flags(bio);
    TlsStream* s = Stream(bio);
    const size_t available = s->received_end_ - s->received_begin_;
    if (available == 0) {
      BIO_set_retry_read(bio);  // not the end: the stream reads the socket and OpenSSL retries
      *read = 0;
      return 0;
    }
    const size_t n = std::min(size, available);
    std::memcpy(out, s->received_.get() + s->received_begin_, n);
    s->received_begin_ += n;
    *read = n;
    return 1;
  }

  static int Write(BIO* bio, const char* data, size_t size, size_t* written) {
    BIO_clear_retry_flags(bio);
    try {  // no exception may unwind through OpenSSL's C frames
      Stream(bio)->output_.append(data, size);
    } catch (const std::bad_alloc&) {
      *written = 0;
      return 0;  // a failed write, not a retry: the operation fails
    }
    *written = size;
    return 1;
  }

  static long Control(BIO* bio, int command, long, void*) {
    switch (command) {
      case BIO_CTRL_FLUSH:
        return 1;
      case BIO_CTRL_PENDING: {
        TlsStream* s = Stream(bio);
        return static_cast<long>(s->received_end_ - s->received_begin_);
      }
      case BIO_CTRL_WPENDING:
        return static_cast<long>(Stream(bio)->output_.size());
      default:
        return 0;
    }
  }

  static int Create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
  }

  static const BIO_METHOD* Method() {
    static const BIO_METHOD* method = [] {
      BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "s3ml TLS stream");
      if (m == nullptr) return static_cast<BIO_METHOD*>(nullptr);
      BIO_meth_set_read_ex(m, &Read);
      BIO_meth_set_write_ex(m, &Write);
      BIO_meth_set_ctrl(m, &Control);
      BIO_meth_set_create(m, &Create);
      return m;
    }();
    return method;
  }
};

namespace {

error_code OpenSslError(unsigned long code) {
  // A failure with an empty error queue (SSL_ERROR_SYSCALL; again after a fatal error): as asio.
  if (code == 0) return asio::ssl::error::unspecified_system_error;
  return error_code(static_cast<int>(code), asio::error::get_ssl_category());
}

}  // namespace

TlsStream::Step TlsStream::MapResult(SSL* ssl, int ret, error_code* ec) {
  switch (SSL_get_error(ssl, ret)) {
    case SSL_ERROR_NONE:
      return TlsStream::Step::kDone;
    case SSL_ERROR_WANT_READ:
      return TlsStream::Step::kNeedInput;
    case SSL_ERROR_ZERO_RETURN:  // the peer's close_notify
      *ec = asio::error::eof;
      return TlsStream::Step::kDone;
    default: {
      // The BIO never reports an end of input (the socket's end is mapped by SocketEndError).
      *ec = OpenSslError(ERR_get_error());
      ERR_clear_error();
      return TlsStream::Step::kDone;
    }
  }
}

TlsStream::TlsStream(next_layer_type next_layer, asio::ssl::context& context)
    : next_layer_(std::move(next_layer)) {
  const BIO_METHOD* method = TlsStreamBio::Method();
  if (method == nullptr) return;
  ssl_ = SSL_new(context.native_handle());
  if (ssl_ == nullptr) return;
  BIO* bio = BIO_new(method);
  if (bio == nullptr) {
    SSL_free(ssl_);
    ssl_ = nullptr;
    return;
  }
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_, bio, bio);  // one BIO both ways: SSL takes its only reference
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

void TlsStream::StartHandshake(asio::ssl::stream_base::handshake_type type) {
  if (ssl_ == nullptr) return;
  if (type == asio::ssl::stream_base::client) {
    SSL_set_connect_state(ssl_);
  } else {
    SSL_set_accept_state(ssl_);
  }
}

TlsStream::Step TlsStream::Handshake(error_code* ec) {
  if (ssl_ == nullptr) {
    *ec = OpenSslError(ERR_get_error());
    return Step::kDone;
  }
  ERR_clear_error();
  const int ret = SSL_do_handshake(ssl_);
  return MapResult(ssl_, ret, ec);
}

TlsStream::Step TlsStream::ReadPlaintext(char* out, size_t size, size_t* n, error_code* ec) {
  *n = 0;
  if (ssl_ == nullptr) {
    *ec = OpenSslError(0);
    return Step::kDone;
  }
  while (*n < size) {
    ERR_clear_error();
    size_t got = 0;
    const int ret = SSL_read_ex(ssl_, out + *n, size - *n, &got);
    if (ret == 1) {
      *n += got;
      continue;
    }
    return MapResult(ssl_, ret, ec);
  }
  return Step::kDone;
}

void TlsStream::Encrypt(const char* data, size_t size, error_code* ec) {
  if (ssl_ == nullptr) {
    *ec = OpenSslError(0);
    return;
  }
  ERR_clear_error();
  size_t written = 0;
  // The BIO takes all output, so OpenSSL writes everything or fails.
  const int ret = SSL_write_ex(ssl_, data, size, &written);
  if (ret != 1 || written != size) MapResult(ssl_, ret, ec);
  if (!*ec && written != size) *ec = OpenSslError(0);
}

void TlsStream::Shutdown(error_code* ec) {
  if (ssl_ == nullptr) {
    *ec = OpenSslError(0);
    return;
  }
  ERR_clear_error();
  const int ret = SSL_shutdown(ssl_);
  if (ret < 0) MapResult(ssl_, ret, ec);
}

asio::mutable_buffer TlsStream::ReceiveSpace() {
  if (!received_) received_.reset(new char[kReceiveBytes]);  // not for connections that never talk
  // OpenSSL reads the buffer empty before it asks for more; keep any rest at the front anyway.
  const size_t rest = received_end_ - received_begin_;
  if (rest > 0 && received_begin_ > 0) std::memmove(received_.get(), received_.get() + received_begin_, rest);
  received_begin_ = 0;
  received_end_ = rest;
  return asio::buffer(received_.get() + received_end_, kReceiveBytes - received_end_);
}

error_code TlsStream::SocketEndError(const error_code& ec) {
  // The socket ended while TLS still expected bytes: no close_notify came.
  if (ec == asio::error::eof) return asio::ssl::error::stream_truncated;
  return ec;
}

}  // namespace s3ml::net
