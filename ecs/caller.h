// Caller: who is on the other end of an ECS connection, as established in the TLS handshake
// (docs/protocol.md: the ECS asks for, but does not require, a client certificate).
//
//   no certificate          -> no claims at all (anonymous: health, manifest, attestation)
//   RA-TLS certificate      -> kEnclave: EnclaveVerifier's verdict, success or the refusal
//   any other certificate   -> kCertificate: its SPKI (the owner when it equals the manifest's
//                              owner key; TLS already proved the peer holds the private key)
//
// CallerPeerVerifier accepts every well-formed certificate in the handshake and records the
// outcome, so that refusals reach the caller as HTTP 403 bodies naming the failed rule. Only
// one certificate (no chain) is accepted; anything unparsable fails the handshake.
#ifndef S3ML_ECS_CALLER_H_
#define S3ML_ECS_CALLER_H_

#include <memory>
#include <optional>
#include <vector>

#include "ecs/enclave_verifier.h"
#include "net/http_request.h"
#include "net/peer_info.h"

namespace s3ml::ecs {

struct Caller {
  enum class Kind { kEnclave, kCertificate };
  Kind kind = Kind::kCertificate;
  std::vector<uint8_t> spki_der;
  std::optional<EnclavePeer> enclave;  // kEnclave and verified
  Status enclave_refusal;             // kEnclave and refused: why
};

net::PeerVerifier CallerPeerVerifier(std::shared_ptr<EnclaveVerifier> verifier);

// The request's Caller, or nullptr when the client sent no certificate.
const Caller* CallerOf(const net::HttpRequest& request);

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_CALLER_H_
