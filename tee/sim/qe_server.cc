#include "tee/sim/qe_server.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "core/log.h"
#include "tee/sim/qe_protocol.h"
#include "tee/sim/sim_quote_builder.h"
#include "tee/sim/sim_seal_key.h"

namespace s3ml::tee::sim {
namespace {

constexpr std::string_view kComponent = "sim-qe";

Result<sockaddr_un> UnixAddress(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) {
    return InvalidArgument("QE socket path must be 1.." + std::to_string(sizeof(addr.sun_path) - 1) +
                           " bytes: " + path);
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

void SetTimeouts(int fd, int ms) {
  timeval tv{.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

// A live daemon accepts connections; a stale socket file refuses them.
bool SomeoneListens(const sockaddr_un& addr) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool live = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return live;
}

}  // namespace

QeServer::QeServer(SimAuthority authority, QeServerOptions options, int listen_fd, int wake_read, int wake_write)
    : authority_(std::move(authority)),
      options_(std::move(options)),
      listen_fd_(listen_fd),
      wake_read_(wake_read),
      wake_write_(wake_write) {}

Result<std::unique_ptr<QeServer>> QeServer::Start(SimAuthority authority, QeServerOptions options) {
  if (options.io_timeout_ms <= 0) return InvalidArgument("QE I/O timeout must be positive");
  if (options.max_connections == 0) return InvalidArgument("QE max_connections must be positive");
  S3ML_ASSIGN_OR_RETURN(sockaddr_un addr, UnixAddress(options.socket_path));
  struct stat st;
  if (::lstat(options.socket_path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) return AlreadyExists(options.socket_path + " exists and is not a socket");
    if (SomeoneListens(addr)) return AlreadyExists("a QE daemon already listens on " + options.socket_path);
    ::unlink(options.socket_path.c_str());
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal(std::string("socket: ") + std::strerror(errno));
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 64) != 0) {
    Status s = Unavailable("cannot listen on " + options.socket_path + ": " + std::strerror(errno));
    ::close(fd);
    return s;
  }
  // Any local process may ask: the daemon identifies callers itself, as aesmd's socket is open.
  ::chmod(options.socket_path.c_str(), 0666);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    ::close(fd);
    return Internal(std::string("pipe2: ") + std::strerror(errno));
  }
  return std::unique_ptr<QeServer>(
      new QeServer(std::move(authority), std::move(options), fd, pipe_fds[0], pipe_fds[1]));
}

QeServer::~QeServer() {
  Stop();
  {
    std::unique_lock<std::mutex> lock(mu_);
    idle_.wait(lock, [this] { return active_ == 0; });
  }
  ::close(listen_fd_);
  ::close(wake_read_);
  ::close(wake_write_);
  ::unlink(options_.socket_path.c_str());
}

void QeServer::Stop() {
  if (stopping_.exchange(true)) return;
  const uint8_t byte = 1;
  ssize_t ignored = ::write(wake_write_, &byte, 1);
  (void)ignored;
}

Status QeServer::Run() {
  Log(LogLevel::kInfo, kComponent, "listening on " + options_.socket_path);
  while (!stopping_.load()) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    int n = ::poll(fds, 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Internal(std::string("poll: ") + std::strerror(errno));
    if (fds[1].revents != 0) break;
    if ((fds[0].revents & POLLIN) == 0) continue;
    int conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;  // the caller gave up already (ECONNABORTED) or a transient error
    SetTimeouts(conn, options_.io_timeout_ms);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (active_ >= options_.max_connections) {
        std::vector<uint8_t> reply = EncodeQeReply(ResourceExhausted("too many concurrent QE requests"), {});
        (void)WriteQeFrame(conn, reply);
        ::close(conn);
        continue;
      }
      ++active_;
    }
    std::thread([this, conn] {
      ServeConnection(conn);
      std::lock_guard<std::mutex> lock(mu_);
      --active_;
      idle_.notify_all();
    }).detach();
  }
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return active_ == 0; });
  Log(LogLevel::kInfo, kComponent, "stopped");
  return Status::Ok();
}

void QeServer::ServeConnection(int fd) {
  auto request = ReadQeFrame(fd);
  std::vector<uint8_t> reply;
  if (!request.ok()) {
    // A peer that timed out or vanished gets nothing; one that sent a bad frame is told why.
    if (request.status().code() != StatusCode::kInvalidArgument) {
      ::close(fd);
      return;
    }
    reply = EncodeQeReply(request.status(), {});
  } else {
    auto answer = Answer(request.value(), fd);
    reply = answer.ok() ? EncodeQeReply(Status::Ok(), answer.value()) : EncodeQeReply(answer.status(), {});
    if (answer.ok()) {
      OPENSSL_cleanse(answer->data(), answer->size());  // may be a seal key
    } else {
      Log(LogLevel::kWarning, kComponent, "refused: " + answer.status().ToString());
    }
  }
  (void)WriteQeFrame(fd, reply);
  OPENSSL_cleanse(reply.data(), reply.size());
  answered_.fetch_add(1);
  ::close(fd);
}

Result<std::vector<uint8_t>> QeServer::Answer(std::span<const uint8_t> body, int fd) {
  S3ML_ASSIGN_OR_RETURN(QeRequest request, DecodeQeRequest(body));
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    return Internal(std::string("SO_PEERCRED: ") + std::strerror(errno));
  }
  S3ML_ASSIGN_OR_RETURN(Identity identity, identifier_.Identify(cred.pid));
  switch (request.type) {
    case QeRequestType::kQuote:
      return BuildSimQuote(authority_, identity, request.report_data);
    case QeRequestType::kSealKey: {
      S3ML_ASSIGN_OR_RETURN(crypto::SecretBytes key, DeriveSimSealKey(authority_.platform_secret().span(), identity,
                                                                      request.policy, request.label));
      return std::vector<uint8_t>(key.span().begin(), key.span().end());
    }
    case QeRequestType::kIdentity:
      return EncodeIdentity(identity);
  }
  return Internal("unhandled QE request type");
}

}  // namespace s3ml::tee::sim
