// SgxQuote: an Intel SGX ECDSA quote, version 3, parsed from untrusted bytes.
//
// ParseSgxQuote reads the whole layout through ByteReader with a bounds check at every field
// (header 48, report body 384, signature data: quote signature, attestation key, QE report, QE
// report signature, QE auth data, certification data type 5 = PEM PCK chain with an optional
// trailing NUL) and refuses anything else: wrong version / key type / TEE type / QE vendor,
// lengths that disagree, trailing bytes. Errors are kInvalidArgument naming the field. Parsing
// proves nothing about authenticity; see dcap_verifier.h. The quote owns copies of its parts.
#ifndef S3ML_ATTEST_SGX_QUOTE_H_
#define S3ML_ATTEST_SGX_QUOTE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "attest/sgx_report_body.h"
#include "core/status.h"

namespace s3ml::attest {

struct SgxQuoteHeader {
  static constexpr size_t kSize = 48;
  uint16_t version = 0;
  uint16_t attestation_key_type = 0;  // 2 = ECDSA-256-with-P-256
  uint32_t tee_type = 0;              // 0 = SGX
  uint16_t qe_svn = 0;
  uint16_t pce_svn = 0;
  std::array<uint8_t, 16> qe_vendor_id{};
  std::array<uint8_t, 20> user_data{};
};

struct SgxQuote {
  static constexpr size_t kSignedSize = SgxQuoteHeader::kSize + SgxReportBody::kSize;  // 432
  static constexpr uint16_t kCertificationDataPckChain = 5;

  SgxQuoteHeader header;
  SgxReportBody report_body;
  // Bytes [0, 432): header and report body, the message the attestation key signed.
  std::vector<uint8_t> signed_bytes;
  std::array<uint8_t, 64> quote_signature{};   // raw r||s, P-256
  std::array<uint8_t, 64> attestation_key{};   // raw x||y, P-256
  SgxReportBody qe_report;
  std::vector<uint8_t> qe_report_bytes;        // the 384 bytes the PCK key signed
  std::array<uint8_t, 64> qe_report_signature{};
  std::vector<uint8_t> qe_auth_data;
  uint16_t certification_data_type = 0;
  std::string pck_chain_pem;  // PCK leaf, PCK CA, root CA; trailing NULs removed
};

// Quotes larger than this are refused before parsing (real ones are ~5 KB).
inline constexpr size_t kMaxSgxQuoteSize = 64 * 1024;

// Intel's QE vendor id, 939a7233-f79c-4ca9-940a-0db3957f0607.
extern const std::array<uint8_t, 16> kIntelQeVendorId;

Result<SgxQuote> ParseSgxQuote(std::span<const uint8_t> bytes);

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_SGX_QUOTE_H_
