#include "tee/sim/qe_protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/byte_reader.h"
#include "tee/byte_writer.h"
#include "tee/platform.h"

namespace s3ml::tee::sim {
namespace {

Status IoError(const char* what) {
  if (errno == EAGAIN || errno == EWOULDBLOCK) return DeadlineExceeded(std::string("QE socket ") + what + " timed out");
  return Unavailable(std::string("QE socket ") + what + " failed: " + std::strerror(errno));
}

Status WriteAll(int fd, std::span<const uint8_t> data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError("write");
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status ReadExactly(int fd, std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::recv(fd, out.data() + done, out.size() - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("read");
    if (n == 0)
      return Unavailable("QE socket closed by the peer after " + std::to_string(done) + " of " +
                         std::to_string(out.size()) + " bytes");
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

std::vector<uint8_t> EncodeQeRequest(const QeRequest& r) {
  ByteWriter w;
  w.U8(kQeProtocolVersion);
  w.U8(static_cast<uint8_t>(r.type));
  if (r.type == QeRequestType::kQuote) {
    w.Bytes(r.report_data);
  } else if (r.type == QeRequestType::kSealKey) {
    w.U8(static_cast<uint8_t>(r.policy));
    w.U16Le(static_cast<uint16_t>(r.label.size()));
    w.Bytes(AsBytes(r.label));
  }
  return w.Take();
}

Result<QeRequest> DecodeQeRequest(std::span<const uint8_t> body) {
  ByteReader r(body);
  uint8_t version = 0, type = 0;
  if (!r.ReadU8(&version) || !r.ReadU8(&type)) return InvalidArgument("QE request is shorter than its 2-byte header");
  if (version != kQeProtocolVersion)
    return InvalidArgument("QE request version " + std::to_string(version) + " is not 1");
  QeRequest req;
  switch (type) {
    case static_cast<uint8_t>(QeRequestType::kQuote):
      req.type = QeRequestType::kQuote;
      if (r.remaining() != req.report_data.size()) {
        return InvalidArgument("QE quote request: report_data must be 64 bytes, got " + std::to_string(r.remaining()));
      }
      if (!r.CopyBytes(req.report_data)) return InvalidArgument("QE quote request is truncated");
      return req;
    case static_cast<uint8_t>(QeRequestType::kSealKey): {
      req.type = QeRequestType::kSealKey;
      uint8_t policy = 0;
      std::span<const uint8_t> label;
      if (!r.ReadU8(&policy)) return InvalidArgument("QE seal key request lacks its policy");
      S3ML_ASSIGN_OR_RETURN(req.policy, SealKeyPolicyFromByte(policy));
      if (!r.ReadU16LePrefixed(&label)) return InvalidArgument("QE seal key request: label is truncated");
      if (!r.empty())
        return InvalidArgument("QE seal key request has " + std::to_string(r.remaining()) + " trailing bytes");
      req.label.assign(label.begin(), label.end());
      S3ML_RETURN_IF_ERROR(CheckSealKeyLabel(req.label));
      return req;
    }
    case static_cast<uint8_t>(QeRequestType::kIdentity):
      req.type = QeRequestType::kIdentity;
      if (!r.empty())
        return InvalidArgument("QE identity request has " + std::to_string(r.remaining()) + " trailing bytes");
      return req;
    default:
      return InvalidArgument("QE request type " + std::to_string(type) + " is unknown");
  }
}

std::vector<uint8_t> EncodeQeReply(const Status& status, std::span<const uint8_t> payload) {
  ByteWriter w;
  w.U8(kQeProtocolVersion);
  w.U8(static_cast<uint8_t>(status.code()));
  if (status.ok()) {
    w.Bytes(payload);
  } else {
    const std::string& m = status.message();
    w.Bytes(AsBytes(std::string_view(m).substr(0, kMaxQeFrameSize - 16)));
  }
  return w.Take();
}

Result<std::vector<uint8_t>> DecodeQeReply(std::span<const uint8_t> body) {
  ByteReader r(body);
  uint8_t version = 0, code = 0;
  if (!r.ReadU8(&version) || !r.ReadU8(&code)) return InvalidArgument("QE reply is shorter than its 2-byte header");
  if (version != kQeProtocolVersion)
    return InvalidArgument("QE reply version " + std::to_string(version) + " is not 1");
  std::span<const uint8_t> rest = r.rest();
  if (code == 0) return std::vector<uint8_t>(rest.begin(), rest.end());
  if (code > static_cast<uint8_t>(StatusCode::kInternal)) {
    return InvalidArgument("QE reply status " + std::to_string(code) + " is unknown");
  }
  return Status(static_cast<StatusCode>(code), "simulated QE: " + std::string(rest.begin(), rest.end()));
}

std::vector<uint8_t> EncodeIdentity(const Identity& id) {
  ByteWriter w;
  w.Bytes(id.mrenclave);
  w.Bytes(id.mrsigner);
  w.U16Le(id.isv_prod_id);
  w.U16Le(id.isv_svn);
  w.U8(id.debug ? 1 : 0);
  return w.Take();
}

Result<Identity> DecodeIdentity(std::span<const uint8_t> bytes) {
  ByteReader r(bytes);
  Identity id;
  uint8_t debug = 0;
  if (!r.CopyBytes(id.mrenclave) || !r.CopyBytes(id.mrsigner) || !r.ReadU16Le(&id.isv_prod_id) ||
      !r.ReadU16Le(&id.isv_svn) || !r.ReadU8(&debug) || !r.empty() || debug > 1) {
    return InvalidArgument("QE identity reply must be 69 bytes (MRENCLAVE, MRSIGNER, ISVPRODID, ISVSVN, debug)");
  }
  id.debug = debug == 1;
  return id;
}

Status WriteQeFrame(int fd, std::span<const uint8_t> body) {
  if (body.empty() || body.size() > kMaxQeFrameSize) {
    return InvalidArgument("QE frame of " + std::to_string(body.size()) + " bytes is outside 1..65536");
  }
  ByteWriter w;
  w.U32Le(static_cast<uint32_t>(body.size()));
  w.Bytes(body);
  return WriteAll(fd, w.bytes());
}

Result<std::vector<uint8_t>> ReadQeFrame(int fd) {
  uint8_t header[4];
  S3ML_RETURN_IF_ERROR(ReadExactly(fd, header));
  uint32_t length = 0;
  ByteReader r(header);
  if (!r.ReadU32Le(&length)) return Internal("frame header");
  if (length == 0 || length > kMaxQeFrameSize) {
    return InvalidArgument("QE frame length " + std::to_string(length) + " is outside 1..65536");
  }
  std::vector<uint8_t> body(length);
  S3ML_RETURN_IF_ERROR(ReadExactly(fd, body));
  return body;
}

}  // namespace s3ml::tee::sim
