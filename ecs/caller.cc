#include "ecs/caller.h"

#include <any>

#include "attest/ratls_certificate.h"
#include "crypto/x509_certificate.h"

namespace s3ml::ecs {

net::PeerVerifier CallerPeerVerifier(std::shared_ptr<EnclaveVerifier> verifier) {
  return [verifier](const net::CertificateChain& chain, std::any& claims) -> Status {
    if (chain.empty()) return Status::Ok();
    if (chain.size() != 1) {
      return PermissionDenied("the ECS expects one self-signed client certificate, got a chain of " +
                              std::to_string(chain.size()));
    }
    const auto& der = chain.front();
    if (der.size() > attest::kMaxRaTlsCertificateSize) return ResourceExhausted("client certificate is too large");
    S3ML_ASSIGN_OR_RETURN(crypto::X509Certificate certificate, crypto::X509Certificate::FromDer(der));
    S3ML_ASSIGN_OR_RETURN(auto extension, certificate.ExtensionValue(attest::kRaTlsQuoteOid));
    Caller caller;
    S3ML_ASSIGN_OR_RETURN(caller.spki_der, certificate.SubjectPublicKeyInfoDer());
    if (extension.has_value()) {
      caller.kind = Caller::Kind::kEnclave;
      auto verified = verifier->Verify(der);
      if (verified.ok()) {
        caller.enclave = std::move(verified).value();
      } else {
        caller.enclave_refusal = verified.status();
      }
    }
    claims = std::move(caller);
    return Status::Ok();
  };
}

const Caller* CallerOf(const net::HttpRequest& request) {
  if (request.peer == nullptr) return nullptr;
  return std::any_cast<Caller>(&request.peer->claims);
}

}  // namespace s3ml::ecs
