#include "tee/sim/sgx_extension_builder.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include <string>

#include "crypto/openssl_util.h"

namespace s3ml::tee::sim {
namespace {

using crypto::OpenSslPtr;
using Asn1IntegerPtr = OpenSslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1EnumeratedPtr = OpenSslPtr<ASN1_ENUMERATED, ASN1_ENUMERATED_free>;
using Asn1OctetStringPtr = OpenSslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;

using Der = std::vector<uint8_t>;

// Runs an i2d_* function twice (size, then encode), as OpenSSL intends.
template <typename T>
Result<Der> Encode(int (*i2d)(const T*, unsigned char**), const T* value, const char* what) {
  int len = i2d(value, nullptr);
  if (len <= 0) return crypto::OpenSslFailure(StatusCode::kInternal, std::string("encoding ") + what);
  Der out(static_cast<size_t>(len));
  unsigned char* p = out.data();
  if (i2d(value, &p) != len) return crypto::OpenSslFailure(StatusCode::kInternal, std::string("encoding ") + what);
  return out;
}

Result<Der> Oid(const std::string& dotted) {
  crypto::Asn1ObjectPtr oid(OBJ_txt2obj(dotted.c_str(), 1));
  if (!oid) return crypto::OpenSslFailure(StatusCode::kInternal, "OID " + dotted);
  return Encode<ASN1_OBJECT>(i2d_ASN1_OBJECT, oid.get(), "OID");
}

Result<Der> Octets(std::span<const uint8_t> bytes) {
  Asn1OctetStringPtr s(ASN1_OCTET_STRING_new());
  if (!s || ASN1_OCTET_STRING_set(s.get(), bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return crypto::OpenSslFailure(StatusCode::kInternal, "OCTET STRING");
  }
  return Encode<ASN1_OCTET_STRING>(i2d_ASN1_OCTET_STRING, s.get(), "OCTET STRING");
}

Result<Der> Integer(int64_t v) {
  Asn1IntegerPtr i(ASN1_INTEGER_new());
  if (!i || ASN1_INTEGER_set_int64(i.get(), v) != 1) return crypto::OpenSslFailure(StatusCode::kInternal, "INTEGER");
  return Encode<ASN1_INTEGER>(i2d_ASN1_INTEGER, i.get(), "INTEGER");
}

Result<Der> Enumerated(int64_t v) {
  Asn1EnumeratedPtr e(ASN1_ENUMERATED_new());
  if (!e || ASN1_ENUMERATED_set_int64(e.get(), v) != 1)
    return crypto::OpenSslFailure(StatusCode::kInternal, "ENUMERATED");
  return Encode<ASN1_ENUMERATED>(i2d_ASN1_ENUMERATED, e.get(), "ENUMERATED");
}

Der Sequence(const std::vector<Der>& items) {
  size_t content = 0;
  for (const Der& d : items) content += d.size();
  const int total = ASN1_object_size(1, static_cast<int>(content), V_ASN1_SEQUENCE);
  Der out(static_cast<size_t>(total));
  unsigned char* p = out.data();
  ASN1_put_object(&p, 1, static_cast<int>(content), V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
  for (const Der& d : items) p = std::copy(d.begin(), d.end(), p);
  return out;
}

Result<Der> Entry(const std::string& oid, Result<Der> value) {
  if (!value.ok()) return value.status();
  S3ML_ASSIGN_OR_RETURN(Der o, Oid(oid));
  return Sequence({o, value.value()});
}

}  // namespace

Result<std::vector<uint8_t>> BuildSgxExtensionDer(const SgxExtensionFields& f) {
  const std::string base = kSgxExtensionOid;
  std::vector<Der> tcb;
  for (size_t i = 0; i < 16; ++i) {
    S3ML_ASSIGN_OR_RETURN(Der e, Entry(base + ".2." + std::to_string(i + 1), Integer(f.tcb_component_svns[i])));
    tcb.push_back(std::move(e));
  }
  S3ML_ASSIGN_OR_RETURN(Der pcesvn, Entry(base + ".2.17", Integer(f.pcesvn)));
  S3ML_ASSIGN_OR_RETURN(Der cpusvn, Entry(base + ".2.18", Octets(f.cpusvn)));
  tcb.push_back(std::move(pcesvn));
  tcb.push_back(std::move(cpusvn));

  S3ML_ASSIGN_OR_RETURN(Der ppid, Entry(base + ".1", Octets(f.ppid)));
  S3ML_ASSIGN_OR_RETURN(Der tcb_entry, Entry(base + ".2", Result<Der>(Sequence(tcb))));
  S3ML_ASSIGN_OR_RETURN(Der pce_id, Entry(base + ".3", Octets(f.pce_id)));
  S3ML_ASSIGN_OR_RETURN(Der fmspc, Entry(base + ".4", Octets(f.fmspc)));
  S3ML_ASSIGN_OR_RETURN(Der type, Entry(base + ".5", Enumerated(f.sgx_type)));
  return Sequence({ppid, tcb_entry, pce_id, fmspc, type});
}

}  // namespace s3ml::tee::sim
