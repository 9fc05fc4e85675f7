#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <exception>
#include <vector>

namespace s3ml::net {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Drains OpenSSL's thread-local error queue into one readable line.
std::string TakeOpenSslErrors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? "no OpenSSL error detail" : text;
}

// Encrypted keys are not supported: without this callback OpenSSL would prompt on the terminal.
int RefusePassphrase(char*, int, int, void*) { return -1; }

Result<std::vector<X509Ptr>> ParseCertificates(std::string_view pem, std::string_view field) {
  if (pem.size() > static_cast<size_t>(INT32_MAX)) return InvalidArgument(std::string(field) + " is too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Internal("BIO_new_mem_buf failed");
  std::vector<X509Ptr> certs;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, RefusePassphrase, nullptr)) {
    certs.emplace_back(cert);
  }
  // The loop always ends on "no start line"; anything else means a damaged certificate.
  unsigned long last = ERR_peek_last_error();
  if (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE) {
    ERR_clear_error();
  } else if (last != 0) {
    return InvalidArgument(std::string(field) + " has a malformed certificate after " +
                           std::to_string(certs.size()) + " good ones: " + TakeOpenSslErrors());
  }
  if (certs.empty()) return InvalidArgument(std::string(field) + " contains no PEM certificate");
  return certs;
}

Result<PkeyPtr> ParsePrivateKey(std::string_view pem) {
  if (pem.size() > static_cast<size_t>(INT32_MAX)) return InvalidArgument("private_key_pem is too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return Internal("BIO_new_mem_buf failed");
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, RefusePassphrase, nullptr));
  if (!key) {
    return InvalidArgument("private_key_pem is not an unencrypted PEM private key: " + TakeOpenSslErrors());
  }
  return key;
}

Status UseCertificateAndKey(SSL_CTX* ctx, std::string_view chain_pem, std::string_view key_pem) {
  S3ML_ASSIGN_OR_RETURN(auto chain, ParseCertificates(chain_pem, "certificate_chain_pem"));
  S3ML_ASSIGN_OR_RETURN(PkeyPtr key, ParsePrivateKey(key_pem));
  if (SSL_CTX_use_certificate(ctx, chain[0].get()) != 1) {
    return InvalidArgument("certificate_chain_pem leaf is not usable: " + TakeOpenSslErrors());
  }
  for (size_t i = 1; i < chain.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, chain[i].get()) != 1) {
      return InvalidArgument("certificate_chain_pem certificate " + std::to_string(i) +
                             " is not usable: " + TakeOpenSslErrors());
    }
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return InvalidArgument("private_key_pem does not match the certificate_chain_pem leaf: " +
                           TakeOpenSslErrors());
  }
  return Status::Ok();
}

Status AddRoots(SSL_CTX* ctx, std::string_view pem, std::string_view field) {
  S3ML_ASSIGN_OR_RETURN(auto roots, ParseCertificates(pem, field));
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (auto& root : roots) {
    if (X509_STORE_add_cert(store, root.get()) != 1) {
      return InvalidArgument(std::string(field) + " root not usable: " + TakeOpenSslErrors());
    }
  }
  return Status::Ok();
}

Status ApplyCommonSettings(SSL_CTX* ctx, bool allow_tls12) {
  if (SSL_CTX_set_min_proto_version(ctx, allow_tls12 ? TLS1_2_VERSION : TLS1_3_VERSION) != 1) {
    return Internal("SSL_CTX_set_min_proto_version failed: " + TakeOpenSslErrors());
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // Send exactly the chain we were given: without this OpenSSL completes it from the trust store
  // (our pinned roots), which would also leak them to the peer.
  SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
  return Status::Ok();
}

// The SSL ex_data slot holding the connection's TlsPeerState. Asio owns SSL app_data, so we use
// our own index, allocated once per process (immutable afterwards).
int PeerStateIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

Result<std::unique_ptr<boost::asio::ssl::context>> NewAsioContext(bool server) {
  try {
    return std::make_unique<boost::asio::ssl::context>(
        server ? boost::asio::ssl::context::tls_server : boost::asio::ssl::context::tls_client);
  } catch (const std::exception& e) {
    return Internal(std::string("cannot create an OpenSSL context: ") + e.what());
  }
}

CertificateChain ExtractChain(X509_STORE_CTX* store) {
  CertificateChain chain;
  auto append = [&chain](X509* cert) {
    int len = i2d_X509(cert, nullptr);
    if (len <= 0) return;
    DerCertificate der(static_cast<size_t>(len));
    unsigned char* out = der.data();
    if (i2d_X509(cert, &out) == len) chain.push_back(std::move(der));
  };
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  if (leaf != nullptr) append(leaf);
  STACK_OF(X509)* sent = X509_STORE_CTX_get0_untrusted(store);
  for (int i = 0; sent != nullptr && i < sk_X509_num(sent); ++i) {
    X509* cert = sk_X509_value(sent, i);
    if (leaf != nullptr && X509_cmp(cert, leaf) == 0) continue;
    append(cert);
  }
  return chain;
}

}  // namespace

TlsContext::TlsContext(bool is_server, std::unique_ptr<boost::asio::ssl::context> context)
    : is_server_(is_server), asio_context_(std::move(context)) {}

TlsContext::~TlsContext() = default;

Result<std::shared_ptr<const TlsContext>> TlsContext::CreateServer(const TlsServerOptions& options) {
  const bool verify_clients = options.client_certificate != ClientCertificateMode::kNone;
  if (verify_clients && options.client_root_pem.empty() && !options.verifier) {
    return InvalidArgument("client certificates are requested but neither client_root_pem nor a verifier is set");
  }
  S3ML_ASSIGN_OR_RETURN(auto asio_context, NewAsioContext(/*server=*/true));
  std::shared_ptr<TlsContext> self(new TlsContext(true, std::move(asio_context)));
  SSL_CTX* ctx = self->asio_context_->native_handle();
  ERR_clear_error();
  S3ML_RETURN_IF_ERROR(ApplyCommonSettings(ctx, options.allow_tls12));
  S3ML_RETURN_IF_ERROR(UseCertificateAndKey(ctx, options.certificate_chain_pem, options.private_key_pem));
  if (verify_clients) {
    if (!options.client_root_pem.empty()) {
      S3ML_RETURN_IF_ERROR(AddRoots(ctx, options.client_root_pem, "client_root_pem"));
      self->verification_.has_roots = true;
    }
    self->verification_.verifier = options.verifier;
    self->verification_.clock = options.clock;
    int mode = SSL_VERIFY_PEER;
    if (options.client_certificate == ClientCertificateMode::kRequire) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(ctx, mode, nullptr);
    SSL_CTX_set_cert_verify_callback(ctx, &TlsContext::VerifyPeerCallback, self.get());
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  return std::shared_ptr<const TlsContext>(std::move(self));
}

Result<std::shared_ptr<const TlsContext>> TlsContext::CreateClient(const TlsClientOptions& options) {
  if (options.root_pem.empty() && !options.verifier) {
    return InvalidArgument("a TLS client needs root_pem or a verifier to authenticate the server");
  }
  if (options.certificate_chain_pem.empty() != options.private_key_pem.empty()) {
    return InvalidArgument("client certificate_chain_pem and private_key_pem must be given together");
  }
  S3ML_ASSIGN_OR_RETURN(auto asio_context, NewAsioContext(/*server=*/false));
  std::shared_ptr<TlsContext> self(new TlsContext(false, std::move(asio_context)));
  SSL_CTX* ctx = self->asio_context_->native_handle();
  ERR_clear_error();
  S3ML_RETURN_IF_ERROR(ApplyCommonSettings(ctx, options.allow_tls12));
  if (!options.certificate_chain_pem.empty()) {
    S3ML_RETURN_IF_ERROR(UseCertificateAndKey(ctx, options.certificate_chain_pem, options.private_key_pem));
  }
  if (!options.root_pem.empty()) {
    S3ML_RETURN_IF_ERROR(AddRoots(ctx, options.root_pem, "root_pem"));
    self->verification_.has_roots = true;
  }
  self->verification_.verifier = options.verifier;
  self->verification_.clock = options.clock;
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_cert_verify_callback(ctx, &TlsContext::VerifyPeerCallback, self.get());
  return std::shared_ptr<const TlsContext>(std::move(self));
}

Status TlsContext::PrepareConnection(SSL* ssl, TlsPeerState* state, std::string_view server_host) const {
  if (SSL_set_ex_data(ssl, PeerStateIndex(), state) != 1) return Internal("SSL_set_ex_data failed");
  if (is_server_) return Status::Ok();
  const std::string host(server_host);
  boost::system::error_code ec;
  const bool is_ip = !host.empty() && (boost::asio::ip::make_address(host, ec), !ec);
  if (!is_ip && !host.empty() && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return InvalidArgument("server name '" + host + "' cannot be sent as SNI: " + TakeOpenSslErrors());
  }
  if (!verification_.has_roots) return Status::Ok();  // a verifier alone decides (RA-TLS)
  if (host.empty()) return InvalidArgument("a server host name or IP is needed to check its certificate");
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                 : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (ok != 1) return InvalidArgument("cannot check the server certificate against '" + host + "'");
  return Status::Ok();
}

int TlsContext::VerifyPeerCallback(X509_STORE_CTX* store, void* arg) {
  const auto* self = static_cast<const TlsContext*>(arg);
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* state = ssl ? static_cast<TlsPeerState*>(SSL_get_ex_data(ssl, PeerStateIndex())) : nullptr;
  if (state == nullptr) {
    // A connection that skipped PrepareConnection: refuse rather than verify half-way.
    X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }
  const Verification& v = self->verification_;
  if (v.has_roots) {
    if (v.clock != nullptr) X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(store), v.clock->NowUnixSeconds());
    if (X509_verify_cert(store) != 1) {
      state->refusal = std::string("certificate verify failed: ") +
                       X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
      return 0;
    }
  }
  CertificateChain chain = ExtractChain(store);
  std::any claims;
  if (v.verifier) {
    Status verdict;
    try {
      verdict = v.verifier(chain, claims);
    } catch (const std::exception& e) {
      verdict = Internal(std::string("peer verifier threw: ") + e.what());
    } catch (...) {
      verdict = Internal("peer verifier threw");
    }
    if (!verdict.ok()) {
      state->refusal = verdict.ToString();
      X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
      return 0;
    }
  }
  state->peer.chain = std::move(chain);
  state->peer.claims = std::move(claims);
  state->refusal.clear();
  return 1;
}

}  // namespace s3ml::net
