// TlsContext: an immutable OpenSSL 3 TLS configuration for servers or clients.
//
// Certificates and keys come from PEM strings in memory (the service key is provisioned into
// enclave memory; it never touches a file). TLS 1.3 only unless allow_tls12 is set.
// Peers are verified against pinned root certificates (clients also check the host name or IP
// SAN of the server) and/or a PeerVerifier hook that runs inside the handshake, so RA-TLS peers
// (self-signed certificates carrying a quote) can be accepted by their quote instead of a CA.
// A context is shared by many connections (std::shared_ptr<const TlsContext>); to renew a
// certificate build a new context and hand it to the server, live connections keep the old one.
#ifndef S3ML_NET_TLS_CONTEXT_H_
#define S3ML_NET_TLS_CONTEXT_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "net/peer_info.h"

namespace boost::asio::ssl {
class context;
}
typedef struct ssl_st SSL;
typedef struct x509_store_ctx_st X509_STORE_CTX;

namespace s3ml::net {

enum class ClientCertificateMode {
  kNone,     // do not ask the client for a certificate
  kRequest,  // ask; verify it if presented, accept clients without one
  kRequire,  // refuse clients that present none
};

struct TlsServerOptions {
  std::string certificate_chain_pem;  // leaf first, then intermediates
  std::string private_key_pem;        // secret: only borrowed while the context is built
  ClientCertificateMode client_certificate = ClientCertificateMode::kNone;
  // Roots that client certificates must chain to (PEM, one or more). May be empty when
  // `verifier` alone decides (RA-TLS). One of the two is required unless kNone.
  std::string client_root_pem;
  PeerVerifier verifier;
  // Time for certificate validity checks; nullptr = the system clock.
  const Clock* clock = nullptr;
  bool allow_tls12 = false;
};

struct TlsClientOptions {
  // Pinned roots the server must chain to (PEM); the host name / IP is then checked against the
  // server certificate's SAN. May be empty when `verifier` alone decides (RA-TLS).
  std::string root_pem;
  PeerVerifier verifier;
  // Optional client certificate for mutual TLS (both or neither).
  std::string certificate_chain_pem;
  std::string private_key_pem;
  const Clock* clock = nullptr;
  bool allow_tls12 = false;
};

// Per-connection verification outcome; filled inside the handshake.
struct TlsPeerState {
  PeerInfo peer;
  std::string refusal;  // why verification refused the peer; empty when it did not
};

class TlsContext {
 public:
  static Result<std::shared_ptr<const TlsContext>> CreateServer(const TlsServerOptions& options);
  static Result<std::shared_ptr<const TlsContext>> CreateClient(const TlsClientOptions& options);

  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  bool is_server() const { return is_server_; }

  // The Asio context to construct streams from. Connections must keep this TlsContext alive.
  boost::asio::ssl::context& asio_context() const { return *asio_context_; }

  // REQUIRES: `ssl` was made from this context and `state` outlives it. Records the handshake's
  // verification result in `state`. For clients, also sets SNI (for names) and, with pinned roots,
  // the expected host name or IP address.
  Status PrepareConnection(SSL* ssl, TlsPeerState* state, std::string_view server_host) const;

 private:
  struct Verification {
    bool has_roots = false;
    PeerVerifier verifier;
    const Clock* clock = nullptr;
  };

  TlsContext(bool is_server, std::unique_ptr<boost::asio::ssl::context> context);
  static int VerifyPeerCallback(X509_STORE_CTX* store, void* arg);

  bool is_server_;
  std::unique_ptr<boost::asio::ssl::context> asio_context_;
  Verification verification_;
};

}  // namespace s3ml::net

#endif  // S3ML_NET_TLS_CONTEXT_H_
