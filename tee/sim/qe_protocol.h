// The wire protocol between enclave programs (SimPlatform) and the simulated quoting daemon
// (QeServer), over a Unix stream socket. One request and one reply per connection, each a frame:
//   u32le length (1..64 KiB) | body
// Request body:  u8 version (1) | u8 type | payload
//   type 1 quote:    report_data (exactly 64 bytes)
//   type 2 seal key: u8 policy (1 mrenclave, 2 mrsigner) | u16le label length | label (1..256)
//   type 3 identity: (empty)
// Reply body:    u8 version (1) | u8 status (0 ok, else a StatusCode) | payload or error message
//   quote: the quote bytes; seal key: 32 bytes; identity: MRENCLAVE 32 | MRSIGNER 32 |
//   u16le ISVPRODID | u16le ISVSVN | u8 debug.
// Every decoder refuses short, long or unknown input with kInvalidArgument naming the field.
#ifndef S3ML_TEE_SIM_QE_PROTOCOL_H_
#define S3ML_TEE_SIM_QE_PROTOCOL_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "tee/identity.h"
#include "tee/seal_key_policy.h"

namespace s3ml::tee::sim {

inline constexpr uint8_t kQeProtocolVersion = 1;
inline constexpr size_t kMaxQeFrameSize = 64 * 1024;

enum class QeRequestType : uint8_t { kQuote = 1, kSealKey = 2, kIdentity = 3 };

struct QeRequest {
  QeRequestType type = QeRequestType::kIdentity;
  std::array<uint8_t, 64> report_data{};             // kQuote
  SealKeyPolicy policy = SealKeyPolicy::kMrEnclave;  // kSealKey
  std::string label;                                 // kSealKey
};

std::vector<uint8_t> EncodeQeRequest(const QeRequest& request);
Result<QeRequest> DecodeQeRequest(std::span<const uint8_t> body);

std::vector<uint8_t> EncodeQeReply(const Status& status, std::span<const uint8_t> payload);
// The payload of an ok reply, or the error the daemon reported (its code and message).
Result<std::vector<uint8_t>> DecodeQeReply(std::span<const uint8_t> body);

std::vector<uint8_t> EncodeIdentity(const Identity& identity);
Result<Identity> DecodeIdentity(std::span<const uint8_t> bytes);

// Frame I/O on a blocking socket whose timeouts (SO_RCVTIMEO/SO_SNDTIMEO) the caller has set:
// a timeout gives kDeadlineExceeded, a closed peer kUnavailable, a bad length kInvalidArgument.
Status WriteQeFrame(int fd, std::span<const uint8_t> body);
Result<std::vector<uint8_t>> ReadQeFrame(int fd);

}  // namespace s3ml::tee::sim

#endif  // S3ML_TEE_SIM_QE_PROTOCOL_H_
