#include "tee/sgx_report_layout.h"

#include <string>

#include "core/byte_reader.h"

namespace s3ml::tee {

Result<Identity> IdentityFromQuote(std::span<const uint8_t> quote) {
  ByteReader r(quote);
  uint16_t version = 0, key_type = 0;
  if (!r.ReadU16Le(&version) || !r.ReadU16Le(&key_type)) return InvalidArgument("quote is shorter than its header");
  if (version != kQuoteVersion3) return InvalidArgument("quote version " + std::to_string(version) + " is not 3");
  if (key_type != kQuoteKeyTypeEcdsaP256) {
    return InvalidArgument("quote attestation key type " + std::to_string(key_type) + " is not 2 (ECDSA P-256)");
  }
  std::span<const uint8_t> body;
  ByteReader at_body(quote);
  if (!at_body.Skip(kQuoteHeaderSize) || !at_body.ReadBytes(kReportBodySize, &body)) {
    return InvalidArgument("quote is too short for its report body (" + std::to_string(quote.size()) + " bytes)");
  }
  Identity id;
  ByteReader f(body);
  uint64_t flags = 0;
  uint16_t prod = 0, svn = 0;
  bool ok = f.Skip(kReportAttributes) && f.ReadU64Le(&flags);
  ok = ok && ByteReader(body.subspan(kReportMrEnclave)).CopyBytes(id.mrenclave);
  ok = ok && ByteReader(body.subspan(kReportMrSigner)).CopyBytes(id.mrsigner);
  ByteReader ids(body.subspan(kReportIsvProdId));
  ok = ok && ids.ReadU16Le(&prod) && ids.ReadU16Le(&svn);
  if (!ok) return InvalidArgument("quote report body is malformed");
  id.isv_prod_id = prod;
  id.isv_svn = svn;
  id.debug = (flags & kAttributeDebug) != 0;
  return id;
}

}  // namespace s3ml::tee
