// What a TLS handshake established about the peer, kept with the connection.
//
// `chain` is the certificate chain the peer presented, leaf first, as DER. `claims` is whatever
// the caller's PeerVerifier stored while accepting the peer (for RA-TLS: the verified enclave
// identity), so request handlers can authorise by it. Both are empty for plaintext connections
// and for TLS servers that did not ask for a client certificate.
#ifndef S3ML_NET_PEER_INFO_H_
#define S3ML_NET_PEER_INFO_H_

#include <any>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/status.h"

namespace s3ml::net {

using DerCertificate = std::vector<uint8_t>;
using CertificateChain = std::vector<DerCertificate>;  // leaf first

struct PeerInfo {
  CertificateChain chain;
  std::any claims;
};

// Called inside the TLS handshake with the peer's chain (after the pinned-root check, when one is
// configured). Returning a non-ok Status aborts the handshake; its message becomes the reason the
// caller sees. May store what it learnt in `claims`. Runs on IO threads, possibly several at once
// (one context serves many handshakes): it must be thread-safe and must not block long.
using PeerVerifier = std::function<Status(const CertificateChain& chain, std::any& claims)>;

}  // namespace s3ml::net

#endif  // S3ML_NET_PEER_INFO_H_
