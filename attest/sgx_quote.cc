#include "attest/sgx_quote.h"

#include <string>

#include "core/byte_reader.h"
#include "core/hex.h"

namespace s3ml::attest {

const std::array<uint8_t, 16> kIntelQeVendorId = {0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
                                                  0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07};

namespace {

Status Truncated(std::string_view field, size_t offset) {
  return InvalidArgument("SGX quote truncated: no room for " + std::string(field) + " at offset " +
                         std::to_string(offset));
}

Status ParseHeader(ByteReader& r, SgxQuoteHeader* h) {
  if (!r.ReadU16Le(&h->version) || !r.ReadU16Le(&h->attestation_key_type) || !r.ReadU32Le(&h->tee_type) ||
      !r.ReadU16Le(&h->qe_svn) || !r.ReadU16Le(&h->pce_svn) || !r.CopyBytes(h->qe_vendor_id) ||
      !r.CopyBytes(h->user_data)) {
    return Truncated("the 48-byte header", r.offset());
  }
  if (h->version != 3) return Unimplemented("SGX quote version " + std::to_string(h->version) + " (only 3 is supported)");
  if (h->attestation_key_type != 2) {
    return Unimplemented("SGX quote attestation key type " + std::to_string(h->attestation_key_type) +
                         " (only 2 = ECDSA-256-with-P-256 is supported)");
  }
  if (h->tee_type != 0) return Unimplemented("quote TEE type " + std::to_string(h->tee_type) + " is not SGX (0)");
  if (h->qe_vendor_id != kIntelQeVendorId) {
    return InvalidArgument("SGX quote QE vendor id " + HexEncode(h->qe_vendor_id) + " is not Intel's");
  }
  return Status::Ok();
}

Status ParseReportBody(ByteReader& r, std::string_view what, SgxReportBody* body,
                       std::vector<uint8_t>* raw) {
  std::span<const uint8_t> bytes;
  if (!r.ReadBytes(SgxReportBody::kSize, &bytes)) return Truncated(what, r.offset());
  S3ML_ASSIGN_OR_RETURN(*body, ParseSgxReportBody(bytes));
  if (raw != nullptr) raw->assign(bytes.begin(), bytes.end());
  return Status::Ok();
}

Status ParseSignatureData(ByteReader& sig, SgxQuote* q) {
  if (!sig.CopyBytes(q->quote_signature)) return Truncated("the quote signature", sig.offset());
  if (!sig.CopyBytes(q->attestation_key)) return Truncated("the attestation key", sig.offset());
  S3ML_RETURN_IF_ERROR(ParseReportBody(sig, "the QE report", &q->qe_report, &q->qe_report_bytes));
  if (!sig.CopyBytes(q->qe_report_signature)) return Truncated("the QE report signature", sig.offset());
  std::span<const uint8_t> auth;
  if (!sig.ReadU16LePrefixed(&auth)) return Truncated("the QE authentication data", sig.offset());
  q->qe_auth_data.assign(auth.begin(), auth.end());

  uint32_t cert_size = 0;
  if (!sig.ReadU16Le(&q->certification_data_type) || !sig.ReadU32Le(&cert_size)) {
    return Truncated("the certification data header", sig.offset());
  }
  if (q->certification_data_type != SgxQuote::kCertificationDataPckChain) {
    return Unimplemented("SGX quote certification data type " + std::to_string(q->certification_data_type) +
                         " (only 5 = PCK certificate chain is supported)");
  }
  if (cert_size != sig.remaining()) {
    return InvalidArgument("SGX quote certification data size " + std::to_string(cert_size) + " does not match the " +
                           std::to_string(sig.remaining()) + " bytes that remain");
  }
  std::span<const uint8_t> pem;
  if (!sig.ReadBytes(cert_size, &pem)) return Truncated("the certification data", sig.offset());
  // PCK chains produced by the QE library end in a NUL terminator; drop it (and only NULs).
  while (!pem.empty() && pem.back() == 0) pem = pem.first(pem.size() - 1);
  for (uint8_t c : pem) {
    if (c == 0 || c > 0x7e) return InvalidArgument("SGX quote PCK certificate chain is not PEM text");
  }
  q->pck_chain_pem.assign(pem.begin(), pem.end());
  return Status::Ok();
}

}  // namespace

Result<SgxQuote> ParseSgxQuote(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxSgxQuoteSize) {
    return ResourceExhausted("SGX quote of " + std::to_string(bytes.size()) + " bytes exceeds the " +
                             std::to_string(kMaxSgxQuoteSize) + "-byte limit");
  }
  SgxQuote q;
  ByteReader r(bytes);
  S3ML_RETURN_IF_ERROR(ParseHeader(r, &q.header));
  S3ML_RETURN_IF_ERROR(ParseReportBody(r, "the report body", &q.report_body, nullptr));
  q.signed_bytes.assign(bytes.begin(), bytes.begin() + SgxQuote::kSignedSize);

  std::span<const uint8_t> signature_data;
  uint32_t signature_size = 0;
  if (!r.ReadU32Le(&signature_size)) return Truncated("the signature data length", r.offset());
  if (signature_size != r.remaining()) {
    return InvalidArgument("SGX quote signature data length " + std::to_string(signature_size) +
                           " does not match the " + std::to_string(r.remaining()) + " bytes that follow");
  }
  if (!r.ReadBytes(signature_size, &signature_data)) return Truncated("the signature data", r.offset());
  ByteReader sig(signature_data);
  Status s = ParseSignatureData(sig, &q);
  if (!s.ok()) return s.WithContext("SGX quote signature data");
  return q;
}

}  // namespace s3ml::attest
