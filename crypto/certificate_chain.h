// Verification of an X.509 chain against pinned trust anchors as of a given time (never "now"
// implicitly): OpenSSL's path building and checks with X509_VERIFY_PARAM_set_time.
//
// Returns ok, or kOutOfRange when a certificate is expired / not yet valid at unix_time, or
// kPermissionDenied naming the failing certificate and OpenSSL's reason (bad signature, no path
// to a trusted root, ...). Revocation is checked separately with X509Crl (x509_crl.h), so that
// callers can apply CRLs in the order their protocol prescribes.
#ifndef S3ML_CRYPTO_CERTIFICATE_CHAIN_H_
#define S3ML_CRYPTO_CERTIFICATE_CHAIN_H_

#include <cstdint>
#include <span>

#include "core/status.h"
#include "crypto/x509_certificate.h"

namespace s3ml::crypto {

// leaf: the certificate to verify; intermediates: untrusted helpers for path building;
// trusted_roots: the anchors (usually one). A chain of just a trusted root is accepted.
Status VerifyCertificateChain(const X509Certificate& leaf, std::span<const X509Certificate> intermediates,
                              std::span<const X509Certificate> trusted_roots, int64_t unix_time);

}  // namespace s3ml::crypto

#endif  // S3ML_CRYPTO_CERTIFICATE_CHAIN_H_
