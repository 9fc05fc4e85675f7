#include "tee/sim/sim_platform.h"

#include <openssl/crypto.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tee/sim/qe_protocol.h"

namespace s3ml::tee::sim {
namespace {

Result<std::vector<uint8_t>> Call(const std::string& socket_path, int timeout_ms, const QeRequest& request) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof(addr.sun_path)) {
    return InvalidArgument("simulated QE socket path is empty or too long: '" + socket_path + "'");
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal(std::string("socket: ") + std::strerror(errno));
  timeval tv{.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    Status s = Unavailable("cannot reach the simulated QE at " + socket_path +
                           " (is `s3ml sim qe` running?): " + std::strerror(errno));
    ::close(fd);
    return s;
  }
  Status sent = WriteQeFrame(fd, EncodeQeRequest(request));
  Result<std::vector<uint8_t>> frame = sent.ok() ? ReadQeFrame(fd) : Result<std::vector<uint8_t>>(sent);
  ::close(fd);
  if (!frame.ok()) return frame.status();
  auto payload = DecodeQeReply(frame.value());
  OPENSSL_cleanse(frame->data(), frame->size());
  return payload;
}

}  // namespace

Result<std::vector<uint8_t>> SimPlatform::GetQuote(std::span<const uint8_t> report_data) {
  S3ML_RETURN_IF_ERROR(CheckReportDataSize(report_data));
  QeRequest request;
  request.type = QeRequestType::kQuote;
  std::copy(report_data.begin(), report_data.end(), request.report_data.begin());
  return Call(socket_path_, timeout_ms_, request);
}

Result<crypto::SecretBytes> SimPlatform::GetSealKey(SealKeyPolicy policy, std::string_view label) {
  S3ML_RETURN_IF_ERROR(CheckSealKeyLabel(label));
  QeRequest request;
  request.type = QeRequestType::kSealKey;
  request.policy = policy;
  request.label = std::string(label);
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> key, Call(socket_path_, timeout_ms_, request));
  crypto::SecretBytes secret(key);
  OPENSSL_cleanse(key.data(), key.size());
  if (secret.size() != kSealKeySize) {
    return InvalidArgument("simulated QE returned a seal key of " + std::to_string(secret.size()) + " bytes, not 32");
  }
  return secret;
}

Result<Identity> SimPlatform::SelfIdentity() {
  QeRequest request;
  request.type = QeRequestType::kIdentity;
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, Call(socket_path_, timeout_ms_, request));
  return DecodeIdentity(bytes);
}

}  // namespace s3ml::tee::sim
