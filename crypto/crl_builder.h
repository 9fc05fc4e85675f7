// CrlBuilder: issues X.509 v2 certificate revocation lists signed with an EcKey (the simulated
// SGX platform's root CA CRL and PCK CRL).
//
// The issuer name comes from the CA certificate; thisUpdate and nextUpdate are required (a CRL
// without nextUpdate cannot be judged current). A CRL number extension is added when set.
// Build reports missing or inconsistent fields as kInvalidArgument.
#ifndef S3ML_CRYPTO_CRL_BUILDER_H_
#define S3ML_CRYPTO_CRL_BUILDER_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "core/status.h"
#include "crypto/ec_key.h"
#include "crypto/x509_certificate.h"
#include "crypto/x509_crl.h"

namespace s3ml::crypto {

class CrlBuilder {
 public:
  CrlBuilder& SetIssuer(const X509Certificate& issuer);
  CrlBuilder& SetUpdateTimes(int64_t this_update_unix, int64_t next_update_unix);
  CrlBuilder& SetCrlNumber(uint64_t number);
  // serial: big-endian magnitude of the revoked certificate's serial number.
  CrlBuilder& AddRevoked(std::vector<uint8_t> serial, int64_t revocation_unix);

  // REQUIRES: issuer and update times set; signer is the issuer's key.
  Result<X509Crl> Build(const EcKey& signer) const;

 private:
  struct Revoked {
    std::vector<uint8_t> serial;
    int64_t when;
  };

  std::optional<X509Certificate> issuer_;
  std::optional<std::pair<int64_t, int64_t>> updates_;
  std::optional<uint64_t> crl_number_;
  std::vector<Revoked> revoked_;
};

}  // namespace s3ml::crypto

#endif  // S3ML_CRYPTO_CRL_BUILDER_H_
