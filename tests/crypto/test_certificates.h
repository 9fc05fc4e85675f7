// Test-only construction of certificates and CRLs with controlled names, validity and serials,
// for chain and revocation tests. (The product's X.509 builder belongs to the RA-TLS / simulated
// platform work; this helper exists so crypto/ tests do not depend on it.)
#ifndef S3ML_TESTS_CRYPTO_TEST_CERTIFICATES_H_
#define S3ML_TESTS_CRYPTO_TEST_CERTIFICATES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/ec_key.h"
#include "crypto/x509_certificate.h"
#include "crypto/x509_crl.h"

namespace s3ml::crypto::testing {

// issuer == nullptr makes a self-signed certificate (issuer_key must then be subject_key).
X509Certificate MakeCertificate(const std::string& cn, const EcKey& subject_key, const X509Certificate* issuer,
                                const EcKey& issuer_key, int64_t not_before, int64_t not_after, long serial,
                                bool is_ca);

X509Crl MakeCrl(const X509Certificate& issuer, const EcKey& issuer_key, int64_t this_update, int64_t next_update,
                const std::vector<long>& revoked_serials);

}  // namespace s3ml::crypto::testing

#endif  // S3ML_TESTS_CRYPTO_TEST_CERTIFICATES_H_
