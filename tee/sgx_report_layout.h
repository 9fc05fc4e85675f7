// Byte layout of the SGX REPORTBODY (384 bytes) and of the quote v3 header, as documented in
// Intel's "SGX ECDSA Quote Library API" and testdata/sgx/README.md. Offsets are within the report
// body unless named kQuote*. tee/ writes (sim) and reads (gramine self-identity) these fields;
// full quote parsing and verification live in attest/.
#ifndef S3ML_TEE_SGX_REPORT_LAYOUT_H_
#define S3ML_TEE_SGX_REPORT_LAYOUT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/status.h"
#include "tee/identity.h"

namespace s3ml::tee {

inline constexpr size_t kReportBodySize = 384;
inline constexpr size_t kReportCpuSvn = 0;        // 16
inline constexpr size_t kReportMiscSelect = 16;   // u32
inline constexpr size_t kReportAttributes = 48;   // flags u64, xfrm u64
inline constexpr size_t kReportMrEnclave = 64;    // 32
inline constexpr size_t kReportMrSigner = 128;    // 32
inline constexpr size_t kReportIsvProdId = 256;   // u16
inline constexpr size_t kReportIsvSvn = 258;      // u16
inline constexpr size_t kReportReportData = 320;  // 64

inline constexpr size_t kQuoteHeaderSize = 48;
inline constexpr size_t kQuoteSignedSize = kQuoteHeaderSize + kReportBodySize;  // 432
inline constexpr uint16_t kQuoteVersion3 = 3;
inline constexpr uint16_t kQuoteKeyTypeEcdsaP256 = 2;

inline constexpr uint64_t kAttributeInit = 0x1;
inline constexpr uint64_t kAttributeDebug = 0x2;
inline constexpr uint64_t kAttributeMode64Bit = 0x4;
inline constexpr uint64_t kAttributeProvisionKey = 0x10;

// Intel's QE vendor id 939a7233-f79c-4ca9-940a-0db3957f0607.
inline constexpr std::array<uint8_t, 16> kIntelQeVendorIdBytes = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                                                  0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

// The identity in the report body of a v3 quote (header checked: version 3, ECDSA P-256 key).
// Only the fixed-size prefix is read; kInvalidArgument when it is too short or not v3.
Result<Identity> IdentityFromQuote(std::span<const uint8_t> quote);

}  // namespace s3ml::tee

#endif  // S3ML_TEE_SGX_REPORT_LAYOUT_H_
