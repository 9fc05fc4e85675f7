#include "net/http_session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <exception>
#include <string>
#include <type_traits>

#include "core/log.h"
#include "net/tls_stream.h"

namespace s3ml::net::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

bool ServerCore::Register(const std::shared_ptr<Session>& session) {
  std::lock_guard<std::mutex> lock(mu_);
  if (draining_) return false;
  sessions_.emplace(session.get(), session);
  return true;
}

void ServerCore::Unregister(Session* session) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(session);
  if (sessions_.empty()) no_sessions_.notify_all();
}

std::vector<std::shared_ptr<Session>> ServerCore::Snapshot() {
  std::vector<std::shared_ptr<Session>> live;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [ptr, weak] : sessions_) {
    if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  return live;
}

void ServerCore::BeginDraining() {
  std::lock_guard<std::mutex> lock(mu_);
  draining_ = true;
}

bool ServerCore::WaitForNoSessions(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  return no_sessions_.wait_until(lock, deadline, [this] { return sessions_.empty(); });
}

size_t ServerCore::SessionCount() {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

namespace {

// After an error response the peer may still be sending (an oversized body); reading and
// discarding for a moment before closing avoids a TCP reset that would destroy our response.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr size_t kFirstReadBytes = 4096;
// Beast reads at most the buffer's free capacity per step (beast::read_size, capped at 64 KiB):
// through the first read's 4 KiB a large body would take one read operation per 4 KiB.
constexpr size_t kBodyReadBytes = 64 * 1024;

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

template <bool kTls>
class HttpSession final : public Session, public std::enable_shared_from_this<HttpSession<kTls>> {
  using Stream = std::conditional_t<kTls, TlsStream, beast::tcp_stream>;

 public:
  HttpSession(tcp::socket socket, ServerCore& core, std::shared_ptr<const TlsContext> tls)
      : Session(core),
        tls_(std::move(tls)),
        remote_address_(RemoteAddress(socket)),
        stream_(MakeStream(std::move(socket), tls_.get())) {}

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->BeginConnection(); });
  }

  void Drain() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->draining_ = true;
      if (self->phase_ == Phase::kIdle || self->phase_ == Phase::kHandshake) self->CloseSocket();
    });
  }

  void ForceClose() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->CloseSocket();
      self->in_flight_self_.reset();  // an unanswered handler no longer keeps the connection
    });
  }

  void ReleaseSelf() override { in_flight_self_.reset(); }

 private:
  enum class Phase { kHandshake, kIdle, kReading, kHandling, kWriting, kClosing, kClosed };

  static std::string RemoteAddress(const tcp::socket& socket) {
    boost::system::error_code ec;
    tcp::endpoint ep = socket.remote_endpoint(ec);
    if (ec) return "unknown";
    return ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  static Stream MakeStream(tcp::socket socket, const TlsContext* tls) {
    if constexpr (kTls) {
      return Stream(beast::tcp_stream(std::move(socket)), tls->asio_context());
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void BeginConnection() {
    if constexpr (kTls) {
      phase_ = Phase::kHandshake;
      Status prepared = tls_->PrepareConnection(stream_.native_handle(), &peer_state_, "");
      if (!prepared.ok()) {
        Log(LogLevel::kError, "net", "TLS setup failed: " + prepared.ToString());
        CloseSocket();
        return;
      }
      lowest().expires_after(core_.options.handshake_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) { self->OnHandshake(ec); });
    } else {
      peer_ = std::make_shared<PeerInfo>();
      AwaitRequest();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      if (!peer_state_.refusal.empty()) {
        Log(LogLevel::kInfo, "net", "TLS client " + remote_address_ + " refused: " + peer_state_.refusal);
      } else {
        Log(LogLevel::kDebug, "net", "TLS handshake with " + remote_address_ + " failed: " + ec.message());
      }
      CloseSocket();
      return;
    }
    peer_ = std::make_shared<PeerInfo>(std::move(peer_state_.peer));
    AwaitRequest();
  }

  // Waits for the first bytes of the next request under the idle timeout (the request timeout
  // for a new connection), so that draining can tell idle connections from busy ones.
  void AwaitRequest() {
    phase_ = Phase::kIdle;
    if (draining_) {
      Close();
      return;
    }
    if (buffer_.size() > 0) {  // a pipelined request is already buffered
      ReadHeader();
      return;
    }
    lowest().expires_after(first_request_ ? core_.options.request_timeout : core_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              self->OnFirstBytes(ec, n);
                            });
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (ec) {
      CloseSocket();  // idle timeout, peer closed, or drained
      return;
    }
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    phase_ = Phase::kReading;
    first_request_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<size_t>(core_.options.max_header_bytes, UINT32_MAX)));
    parser_->body_limit(core_.options.max_body_bytes);
    lowest().expires_after(core_.options.request_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    auto& header = parser_->get();
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      // curl waits for this before sending large bodies; the limits above already passed.
      continue_ = std::make_shared<http::response<http::empty_body>>(http::status::continue_, header.version());
      http::async_write(stream_, *continue_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
        self->continue_.reset();
        if (ec) {
          self->CloseSocket();
          return;
        }
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (auto length = parser_->content_length(); length && *length > buffer_.capacity()) {
      buffer_.reserve(buffer_.size() + static_cast<size_t>(std::min<std::uint64_t>(*length, kBodyReadBytes)));
    }
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    Dispatch();
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      WriteResponse(HttpResponse::Error(431, "request header exceeds " +
                                                 std::to_string(core_.options.max_header_bytes) + " bytes"),
                    /*force_close=*/true);
    } else if (ec == http::error::body_limit) {
      WriteResponse(HttpResponse::Error(413, "request body exceeds " +
                                                 std::to_string(core_.options.max_body_bytes) + " bytes"),
                    true);
    } else if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
               ec != http::error::end_of_stream && ec != http::error::partial_message) {
      WriteResponse(HttpResponse::Error(400, "malformed HTTP request: " + ec.message()), true);
    } else {
      CloseSocket();  // timeout, reset or the peer gave up mid-request: nobody to answer
    }
  }

  void Dispatch() {
    http::request<http::string_body> message = parser_->release();
    parser_.reset();
    request_keep_alive_ = message.keep_alive();
    request_version_ = message.version();

    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    size_t q = request.target.find('?');
    request.path = request.target.substr(0, q);
    if (q != std::string::npos) request.query = request.target.substr(q + 1);
    for (const auto& field : message) {
      request.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.peer = peer_;
    request.remote_address = remote_address_;

    Router::Lookup route = core_.router.Find(request.method, request.path);
    if (route.outcome == Router::Outcome::kNotFound) {
      WriteResponse(HttpResponse::Error(404, "no route for " + request.method + " " + request.path));
      return;
    }
    if (route.outcome == Router::Outcome::kMethodNotAllowed) {
      HttpResponse r = HttpResponse::Error(405, "method " + request.method + " is not allowed for " + request.path);
      r.headers.Set("Allow", route.allowed_methods);
      WriteResponse(std::move(r));
      return;
    }
    request.path_params = std::move(route.params);

    phase_ = Phase::kHandling;
    lowest().expires_never();  // handlers may queue for batching; the request timeout is theirs
    in_flight_self_ = this->shared_from_this();
    HttpResponder responder(MakeDeliver());
    try {
      (*route.handler)(std::move(request), responder);
    } catch (const std::exception& e) {
      responder(HttpResponse::Error(500, std::string("request handler failed: ") + e.what()));
    } catch (...) {
      responder(HttpResponse::Error(500, "request handler failed"));
    }
  }

  HttpResponder::Deliver MakeDeliver() {
    return [weak = this->weak_from_this(), gate = core_.gate](HttpResponse r) {
      gate->RunIfOpen([&] {
        auto self = weak.lock();
        if (!self) return;
        auto executor = self->stream_.get_executor();
        // From the connection's own handler (a request answered on its IO thread, inference
        // included) the response is written at once; from any other thread it is posted, and
        // the posted handler owns the session, so it is never destroyed on the caller's thread.
        asio::dispatch(executor, [self = std::move(self), r = std::move(r)]() mutable {
          self->OnHandlerResponse(std::move(r));
        });
      });
    };
  }

  void OnHandlerResponse(HttpResponse response) {
    if (phase_ != Phase::kHandling) return;  // the connection was closed meanwhile
    auto keep = std::move(in_flight_self_);
    WriteResponse(std::move(response));
  }

  void WriteResponse(HttpResponse response, bool force_close = false) {
    phase_ = Phase::kWriting;
    for (const auto& [name, value] : response.headers.fields()) {
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) {
        response = HttpResponse::Error(500, "the request handler produced an invalid header field");
        break;
      }
    }
    if (response.status < 100 || response.status > 599) {
      response = HttpResponse::Error(500, "the request handler produced status " + std::to_string(response.status));
    }
    auto out = std::make_shared<http::response<http::string_body>>();
    out->version(request_version_ == 10 ? 10 : 11);
    out->result(static_cast<unsigned>(response.status));
    out->set(http::field::server, "s3ml");
    for (auto& [name, value] : response.headers.fields()) out->insert(name, value);
    const bool keep_alive = request_keep_alive_ && !draining_ && !force_close;
    out->keep_alive(keep_alive);
    out->body() = std::move(response.body);
    out->prepare_payload();
    core_.responses_sent.fetch_add(1, std::memory_order_relaxed);
    lowest().expires_after(core_.options.request_timeout);
    http::async_write(stream_, *out,
                      [self = this->shared_from_this(), out, keep_alive](beast::error_code ec, size_t) {
                        if (ec) {
                          self->CloseSocket();
                        } else if (keep_alive) {
                          self->AwaitRequest();
                        } else {
                          self->Close();
                        }
                      });
  }

  // Orderly close after the last response: stop sending (TCP FIN), then read and discard what the
  // peer still sends (an oversized body it is still uploading) until it closes or kLingerTime
  // passes. Closing at once with unread input would make the kernel send a reset that can
  // destroy our error response before the client reads it. TLS answers the peer's close_notify.
  void Close() {
    phase_ = Phase::kClosing;
    lowest().expires_after(kLingerTime);
    if constexpr (!kTls) {
      boost::system::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    Discard();
  }

  void Discard() {
    stream_.async_read_some(asio::buffer(discard_),
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              if (!ec) {
                                self->Discard();
                              } else if (kTls && ec == asio::error::eof) {
                                self->ReplyCloseNotify();
                              } else {
                                self->CloseSocket();
                              }
                            });
  }

  void ReplyCloseNotify() {
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->CloseSocket(); });
    }
  }

  void CloseSocket() {
    phase_ = Phase::kClosed;
    lowest().close();
  }

  const std::shared_ptr<const TlsContext> tls_;
  const std::string remote_address_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::empty_body>> continue_;
  TlsPeerState peer_state_;
  std::shared_ptr<const PeerInfo> peer_;
  Phase phase_ = Phase::kIdle;
  bool first_request_ = true;
  bool draining_ = false;
  bool request_keep_alive_ = false;
  unsigned request_version_ = 11;
  std::shared_ptr<HttpSession> in_flight_self_;  // keeps the session while a handler works
  std::array<char, 4096> discard_{};
};

}  // namespace

void StartSession(tcp::socket socket, ServerCore& core, std::shared_ptr<const TlsContext> tls) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls) {
    auto s = std::make_shared<HttpSession<true>>(std::move(socket), core, std::move(tls));
    if (!core.Register(s)) return;
    s->Start();
  } else {
    auto s = std::make_shared<HttpSession<false>>(std::move(socket), core, nullptr);
    if (!core.Register(s)) return;
    s->Start();
  }
}

}  // namespace s3ml::net::internal
