#include "attest/sgx_report_body.h"

#include <string>

#include "core/byte_reader.h"

namespace s3ml::attest {

Result<SgxReportBody> ParseSgxReportBody(std::span<const uint8_t> bytes) {
  if (bytes.size() != SgxReportBody::kSize) {
    return InvalidArgument("SGX report body must be 384 bytes, got " + std::to_string(bytes.size()));
  }
  SgxReportBody body;
  ByteReader r(bytes);
  // The size was checked above, so these fixed-size reads cannot run short; the checks stay so
  // that a layout mistake here fails loudly instead of reading garbage.
  bool ok = r.CopyBytes(body.cpusvn) && r.ReadU32Le(&body.miscselect) && r.Skip(12) &&
            r.CopyBytes(body.isv_ext_prod_id);
  if (ok) {
    ByteReader attributes(r.rest().first(16));
    ok = r.CopyBytes(body.attributes) && attributes.ReadU64Le(&body.attribute_flags) &&
         attributes.ReadU64Le(&body.attribute_xfrm);
  }
  ok = ok && r.CopyBytes(body.mrenclave) && r.Skip(32) && r.CopyBytes(body.mrsigner) && r.Skip(32) &&
       r.CopyBytes(body.config_id) && r.ReadU16Le(&body.isv_prod_id) && r.ReadU16Le(&body.isv_svn) &&
       r.ReadU16Le(&body.config_svn) && r.Skip(42) && r.CopyBytes(body.isv_family_id) &&
       r.CopyBytes(body.report_data) && r.empty();
  if (!ok) return Internal("SGX report body layout mismatch");
  return body;
}

}  // namespace s3ml::attest
