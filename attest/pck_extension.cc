#include "attest/pck_extension.h"

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include <memory>
#include <string>

#include "crypto/openssl_util.h"

namespace s3ml::attest {
namespace {

struct SequenceFree {
  void operator()(ASN1_SEQUENCE_ANY* s) const { sk_ASN1_TYPE_pop_free(s, ASN1_TYPE_free); }
};
using SequencePtr = std::unique_ptr<ASN1_SEQUENCE_ANY, SequenceFree>;

// Decodes DER "SEQUENCE OF ANY" with no trailing bytes.
Result<SequencePtr> DecodeSequence(const uint8_t* data, size_t size, const std::string& what) {
  S3ML_RETURN_IF_ERROR(crypto::CheckIntSize(size, what));
  const unsigned char* p = data;
  SequencePtr seq(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, static_cast<long>(size)));
  if (!seq) return crypto::OpenSslFailure(StatusCode::kInvalidArgument, "SGX extension: malformed " + what);
  if (p != data + size) return InvalidArgument("SGX extension: trailing bytes after " + what);
  return seq;
}

// One "SEQUENCE { OID, value }" entry of the extension.
struct Entry {
  std::string oid;
  const ASN1_TYPE* value;
};

Result<Entry> DecodeEntry(const ASN1_TYPE* item, SequencePtr* holder, const std::string& where) {
  if (ASN1_TYPE_get(item) != V_ASN1_SEQUENCE) return InvalidArgument("SGX extension: " + where + " is not a SEQUENCE");
  const ASN1_STRING* der = item->value.sequence;
  S3ML_ASSIGN_OR_RETURN(*holder, DecodeSequence(ASN1_STRING_get0_data(der),
                                                static_cast<size_t>(ASN1_STRING_length(der)), where));
  if (sk_ASN1_TYPE_num(holder->get()) != 2) return InvalidArgument("SGX extension: " + where + " is not {OID, value}");
  const ASN1_TYPE* oid = sk_ASN1_TYPE_value(holder->get(), 0);
  if (ASN1_TYPE_get(oid) != V_ASN1_OBJECT) return InvalidArgument("SGX extension: " + where + " has no OID");
  char text[128];
  int len = OBJ_obj2txt(text, sizeof(text), oid->value.object, 1);
  if (len <= 0 || static_cast<size_t>(len) >= sizeof(text)) return InvalidArgument("SGX extension: " + where + " has a bad OID");
  return Entry{std::string(text, static_cast<size_t>(len)), sk_ASN1_TYPE_value(holder->get(), 1)};
}

template <size_t N>
Status ReadOctets(const Entry& e, const char* name, std::array<uint8_t, N>* out) {
  if (ASN1_TYPE_get(e.value) != V_ASN1_OCTET_STRING) return InvalidArgument(std::string("SGX extension: ") + name + " is not an OCTET STRING");
  const ASN1_OCTET_STRING* s = e.value->value.octet_string;
  if (static_cast<size_t>(ASN1_STRING_length(s)) != N) {
    return InvalidArgument(std::string("SGX extension: ") + name + " must be " + std::to_string(N) + " bytes, got " +
                           std::to_string(ASN1_STRING_length(s)));
  }
  const uint8_t* d = ASN1_STRING_get0_data(s);
  std::copy(d, d + N, out->begin());
  return Status::Ok();
}

Result<int64_t> ReadInteger(const ASN1_TYPE* value, int type, const std::string& name, int64_t max) {
  if (ASN1_TYPE_get(value) != type) return InvalidArgument("SGX extension: " + name + " has the wrong ASN.1 type");
  int64_t v = 0;
  int rc = type == V_ASN1_ENUMERATED ? ASN1_ENUMERATED_get_int64(&v, value->value.enumerated)
                                     : ASN1_INTEGER_get_int64(&v, value->value.integer);
  if (rc != 1 || v < 0 || v > max) {
    crypto::DrainOpenSslErrors("");
    return InvalidArgument("SGX extension: " + name + " is out of range [0, " + std::to_string(max) + "]");
  }
  return v;
}

constexpr std::string_view kTcbOid = "1.2.840.113741.1.13.1.2";

Status ParseTcb(const ASN1_TYPE* value, SgxPckExtension* ext) {
  if (ASN1_TYPE_get(value) != V_ASN1_SEQUENCE) return InvalidArgument("SGX extension: TCB is not a SEQUENCE");
  S3ML_ASSIGN_OR_RETURN(auto seq, DecodeSequence(ASN1_STRING_get0_data(value->value.sequence),
                                                 static_cast<size_t>(ASN1_STRING_length(value->value.sequence)), "TCB"));
  uint32_t seen = 0;  // bit i-1 set once sub-OID .2.i was read
  for (int i = 0; i < sk_ASN1_TYPE_num(seq.get()); ++i) {
    SequencePtr holder;
    S3ML_ASSIGN_OR_RETURN(Entry e, DecodeEntry(sk_ASN1_TYPE_value(seq.get(), i), &holder, "TCB entry " + std::to_string(i)));
    if (e.oid.size() <= kTcbOid.size() + 1 || e.oid.compare(0, kTcbOid.size(), kTcbOid) != 0 || e.oid[kTcbOid.size()] != '.') {
      continue;
    }
    const std::string suffix = e.oid.substr(kTcbOid.size() + 1);
    int index = 0;
    for (char c : suffix) {
      if (c < '0' || c > '9' || index > 100) { index = -1; break; }
      index = index * 10 + (c - '0');
    }
    if (index < 1 || index > 18) continue;
    if (seen & (1u << (index - 1))) return InvalidArgument("SGX extension: TCB field " + e.oid + " appears twice");
    seen |= 1u << (index - 1);
    if (index <= 16) {
      S3ML_ASSIGN_OR_RETURN(int64_t svn, ReadInteger(e.value, V_ASN1_INTEGER, "sgxtcbcomp" + std::to_string(index) + "svn", 255));
      ext->tcb_component_svns[static_cast<size_t>(index - 1)] = static_cast<uint8_t>(svn);
    } else if (index == 17) {
      S3ML_ASSIGN_OR_RETURN(int64_t svn, ReadInteger(e.value, V_ASN1_INTEGER, "pcesvn", 65535));
      ext->pcesvn = static_cast<uint16_t>(svn);
    } else {
      S3ML_RETURN_IF_ERROR(ReadOctets(e, "cpusvn", &ext->cpusvn));
    }
  }
  if (seen != (1u << 18) - 1) return InvalidArgument("SGX extension: TCB lacks some of its 18 fields");
  return Status::Ok();
}

}  // namespace

Result<SgxPckExtension> ParseSgxPckExtension(std::span<const uint8_t> der) {
  S3ML_ASSIGN_OR_RETURN(auto seq, DecodeSequence(der.data(), der.size(), "extension value"));
  SgxPckExtension ext;
  const std::string base = kSgxExtensionOid;
  bool have_ppid = false, have_tcb = false, have_pceid = false, have_fmspc = false, have_type = false;
  auto once = [](bool* seen, const char* name) -> Status {
    if (*seen) return InvalidArgument(std::string("SGX extension: ") + name + " appears twice");
    *seen = true;
    return Status::Ok();
  };
  for (int i = 0; i < sk_ASN1_TYPE_num(seq.get()); ++i) {
    SequencePtr holder;
    S3ML_ASSIGN_OR_RETURN(Entry e, DecodeEntry(sk_ASN1_TYPE_value(seq.get(), i), &holder, "entry " + std::to_string(i)));
    if (e.oid == base + ".1") {
      S3ML_RETURN_IF_ERROR(once(&have_ppid, "PPID"));
      S3ML_RETURN_IF_ERROR(ReadOctets(e, "PPID", &ext.ppid));
    } else if (e.oid == base + ".2") {
      S3ML_RETURN_IF_ERROR(once(&have_tcb, "TCB"));
      S3ML_RETURN_IF_ERROR(ParseTcb(e.value, &ext));
    } else if (e.oid == base + ".3") {
      S3ML_RETURN_IF_ERROR(once(&have_pceid, "PCE-ID"));
      S3ML_RETURN_IF_ERROR(ReadOctets(e, "PCE-ID", &ext.pce_id));
    } else if (e.oid == base + ".4") {
      S3ML_RETURN_IF_ERROR(once(&have_fmspc, "FMSPC"));
      S3ML_RETURN_IF_ERROR(ReadOctets(e, "FMSPC", &ext.fmspc));
    } else if (e.oid == base + ".5") {
      S3ML_RETURN_IF_ERROR(once(&have_type, "SGX type"));
      S3ML_ASSIGN_OR_RETURN(int64_t type, ReadInteger(e.value, V_ASN1_ENUMERATED, "SGX type", 2));
      ext.sgx_type = static_cast<int>(type);
    }
  }
  if (!have_ppid) return InvalidArgument("SGX extension: PPID missing");
  if (!have_tcb) return InvalidArgument("SGX extension: TCB missing");
  if (!have_pceid) return InvalidArgument("SGX extension: PCE-ID missing");
  if (!have_fmspc) return InvalidArgument("SGX extension: FMSPC missing");
  if (!have_type) return InvalidArgument("SGX extension: SGX type missing");
  return ext;
}

Result<SgxPckExtension> SgxPckExtensionOf(const crypto::X509Certificate& pck_certificate) {
  S3ML_ASSIGN_OR_RETURN(auto value, pck_certificate.ExtensionValue(kSgxExtensionOid));
  if (!value) {
    return InvalidArgument("certificate '" + pck_certificate.SubjectCommonName() +
                           "' has no SGX extension (" + kSgxExtensionOid + ")");
  }
  return ParseSgxPckExtension(*value);
}

}  // namespace s3ml::attest
