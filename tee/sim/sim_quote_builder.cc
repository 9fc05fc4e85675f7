#include "tee/sim/sim_quote_builder.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "crypto/digest.h"
#include "tee/byte_writer.h"
#include "tee/platform.h"
#include "tee/sgx_report_layout.h"

namespace s3ml::tee::sim {
namespace {

using ReportBody = std::array<uint8_t, kReportBodySize>;

void PutU16(ReportBody& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v);
  b[at + 1] = static_cast<uint8_t>(v >> 8);
}
void PutU64(ReportBody& b, size_t at, uint64_t v) {
  for (size_t i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}
void PutBytes(ReportBody& b, size_t at, std::span<const uint8_t> bytes) {
  std::copy(bytes.begin(), bytes.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
}

// XFRM of a typical enclave: x87, SSE, AVX enabled (0x7).
constexpr uint64_t kXfrm = 0x7;

}  // namespace

Result<std::vector<uint8_t>> BuildSimQuote(const SimAuthority& authority, const Identity& enclave,
                                           std::span<const uint8_t> report_data) {
  S3ML_RETURN_IF_ERROR(CheckReportDataSize(report_data));
  const SimState& s = authority.state();

  ReportBody app{};
  PutBytes(app, kReportCpuSvn, s.cpusvn);
  PutU64(app, kReportAttributes, kAttributeInit | kAttributeMode64Bit | (enclave.debug ? kAttributeDebug : 0));
  PutU64(app, kReportAttributes + 8, kXfrm);
  PutBytes(app, kReportMrEnclave, enclave.mrenclave);
  PutBytes(app, kReportMrSigner, enclave.mrsigner);
  PutU16(app, kReportIsvProdId, enclave.isv_prod_id);
  PutU16(app, kReportIsvSvn, enclave.isv_svn);
  PutBytes(app, kReportReportData, report_data);

  ByteWriter quote;
  quote.U16Le(kQuoteVersion3);
  quote.U16Le(kQuoteKeyTypeEcdsaP256);
  quote.U32Le(0);  // TEE type: SGX
  quote.U16Le(s.qe_isv_svn);
  quote.U16Le(s.pcesvn);
  quote.Bytes(kIntelQeVendorIdBytes);
  // User data: the first 16 bytes of the platform's PPID hash identify the QE's platform, as
  // Intel's QE puts its QE ID there.
  const crypto::Sha256Digest qe_id = crypto::Sha256(s.ppid);
  quote.Bytes(std::span<const uint8_t>(qe_id).first(16));
  quote.Zeros(4);
  quote.Bytes(app);

  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> quote_signature, authority.attestation_key().SignRaw(quote.bytes()));
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> attestation_key, authority.attestation_key().RawPublicKey());

  // QE auth data: 32 bytes 0x00..0x1f, as Intel's QE emits.
  std::vector<uint8_t> auth_data(32);
  for (size_t i = 0; i < auth_data.size(); ++i) auth_data[i] = static_cast<uint8_t>(i);
  crypto::Digester binding(crypto::DigestAlgorithm::kSha256);
  binding.Update(attestation_key).Update(auth_data);
  const std::vector<uint8_t> binding_hash = binding.Finish();

  ReportBody qe{};
  PutBytes(qe, kReportCpuSvn, s.cpusvn);
  PutU64(qe, kReportAttributes, kAttributeInit | kAttributeProvisionKey);
  PutU64(qe, kReportAttributes + 8, kXfrm);
  PutBytes(qe, kReportMrEnclave, crypto::Sha256(AsBytes("s3ml simulated SGX quoting enclave")));
  PutBytes(qe, kReportMrSigner, s.qe_mrsigner);
  PutU16(qe, kReportIsvProdId, s.qe_isv_prod_id);
  PutU16(qe, kReportIsvSvn, s.qe_isv_svn);
  PutBytes(qe, kReportReportData, binding_hash);
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> qe_signature, authority.pck_key().SignRaw(qe));

  const std::string& chain = authority.pck_chain_pem();
  ByteWriter sig;
  sig.Bytes(quote_signature);
  sig.Bytes(attestation_key);
  sig.Bytes(qe);
  sig.Bytes(qe_signature);
  sig.U16Le(static_cast<uint16_t>(auth_data.size()));
  sig.Bytes(auth_data);
  sig.U16Le(5);  // certification data: PCK certificate chain, PEM
  sig.U32Le(static_cast<uint32_t>(chain.size() + 1));
  sig.Bytes(AsBytes(chain));
  sig.U8(0);  // Intel's QE terminates the PEM chain with a NUL

  quote.U32Le(static_cast<uint32_t>(sig.size()));
  quote.Bytes(sig.bytes());
  return quote.Take();
}

}  // namespace s3ml::tee::sim
