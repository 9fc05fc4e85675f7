// Collateral: everything besides the quote that DCAP verification needs (Intel PCS / PCCS
// responses): TCB Info and QE Identity with their issuer chains, the PCK CRL with its issuer
// chain, and the root CA CRL. Parsed, but not yet verified (see dcap_verifier.h).
//
// CollateralFiles holds the raw file contents so that callers (PCCS clients, tests) can supply
// bytes from anywhere; LoadCollateralDirectory reads the layout of testdata/sgx/<sample>/.
#ifndef S3ML_ATTEST_COLLATERAL_H_
#define S3ML_ATTEST_COLLATERAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "attest/qe_identity.h"
#include "attest/tcb_info.h"
#include "core/status.h"
#include "crypto/x509_certificate.h"
#include "crypto/x509_crl.h"

namespace s3ml::attest {

struct CollateralFiles {
  std::string tcb_info_json;                 // tcb_info.json
  std::string tcb_info_issuer_chain_pem;     // tcb_info_issuer_chain.pem
  std::string qe_identity_json;              // qe_identity.json
  std::string qe_identity_issuer_chain_pem;  // qe_identity_issuer_chain.pem
  std::vector<uint8_t> pck_crl;              // pck_crl.der (DER, or PEM as PCCS may serve)
  std::string pck_crl_issuer_chain_pem;      // pck_crl_issuer_chain.pem
  std::vector<uint8_t> root_ca_crl;          // root_ca_crl.der (DER or PEM)
};

struct Collateral {
  TcbInfo tcb_info;
  std::vector<crypto::X509Certificate> tcb_info_issuer_chain;  // TCB Signing, Root CA
  QeIdentity qe_identity;
  std::vector<crypto::X509Certificate> qe_identity_issuer_chain;
  crypto::X509Crl pck_crl;
  std::vector<crypto::X509Certificate> pck_crl_issuer_chain;  // PCK CA, Root CA
  crypto::X509Crl root_ca_crl;
};

// Each file is limited to 1 MiB. Errors name the file that was wrong.
Result<CollateralFiles> ReadCollateralFiles(const std::string& directory);
Result<Collateral> ParseCollateral(const CollateralFiles& files);
Result<Collateral> LoadCollateralDirectory(const std::string& directory);

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_COLLATERAL_H_
