#include "crypto/certificate_chain.h"

#include <openssl/x509_vfy.h>

#include <string>

#include "core/time_format.h"

namespace s3ml::crypto {
namespace {

using X509StackPtr = std::unique_ptr<STACK_OF(X509), decltype([](STACK_OF(X509)* s) { sk_X509_free(s); })>;

}  // namespace

Status VerifyCertificateChain(const X509Certificate& leaf, std::span<const X509Certificate> intermediates,
                              std::span<const X509Certificate> trusted_roots, int64_t unix_time) {
  if (trusted_roots.empty()) return InvalidArgument("no trusted root certificate given");
  X509StorePtr store(X509_STORE_new());
  if (!store) return OpenSslFailure(StatusCode::kInternal, "X509_STORE allocation failed");
  for (const auto& root : trusted_roots) {
    if (X509_STORE_add_cert(store.get(), root.x509()) != 1) {
      return OpenSslFailure(StatusCode::kInternal, "adding trusted root failed");
    }
  }
  // The stack borrows the certificates (sk_X509_free does not free elements).
  X509StackPtr untrusted(sk_X509_new_null());
  if (!untrusted) return OpenSslFailure(StatusCode::kInternal, "stack allocation failed");
  for (const auto& cert : intermediates) {
    if (sk_X509_push(untrusted.get(), cert.x509()) <= 0) {
      return OpenSslFailure(StatusCode::kInternal, "stack push failed");
    }
  }
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.x509(), untrusted.get()) != 1) {
    return OpenSslFailure(StatusCode::kInternal, "X509_STORE_CTX_init failed");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(unix_time));
  if (X509_verify_cert(ctx.get()) == 1) return Status::Ok();

  int err = X509_STORE_CTX_get_error(ctx.get());
  X509* failing = X509_STORE_CTX_get_current_cert(ctx.get());
  std::string who = "certificate";
  if (failing != nullptr) {
    X509_up_ref(failing);
    who = "certificate '" + X509Certificate::FromHandle(X509Ptr(failing)).SubjectCommonName() + "'";
  }
  std::string reason = X509_verify_cert_error_string(err);
  DrainOpenSslErrors("");
  if (err == X509_V_ERR_CERT_HAS_EXPIRED || err == X509_V_ERR_CERT_NOT_YET_VALID) {
    return OutOfRange("chain of '" + leaf.SubjectCommonName() + "': " + who + " " + reason + " at " +
                      FormatRfc3339(unix_time));
  }
  return PermissionDenied("chain of '" + leaf.SubjectCommonName() + "' does not verify: " + who + ": " + reason);
}

}  // namespace s3ml::crypto
