#include "attest/dcap_verifier.h"

#include <algorithm>
#include <optional>

#include "attest/pck_extension.h"
#include "core/hex.h"
#include "core/time_format.h"
#include "crypto/certificate_chain.h"
#include "crypto/digest.h"
#include "crypto/ec_key.h"

namespace s3ml::attest {
namespace {

using crypto::EcKey;
using crypto::X509Certificate;
using crypto::X509Crl;

// State shared by the steps; each step adds what later steps need.
struct Context {
  Context(const SgxQuote& q, const Collateral& col, int64_t t) : quote(q), collateral(col), time(t) {}
  const SgxQuote& quote;
  const Collateral& collateral;
  int64_t time;
  std::vector<X509Certificate> pck_chain;  // leaf, PCK CA, root
  const TrustAnchor* anchor = nullptr;
  std::vector<uint8_t> root_spki;
  std::optional<EcKey> root_key;
  std::optional<EcKey> pck_key;
  SgxPckExtension pck_extension;
  int64_t valid_until = INT64_MAX;
  const std::vector<X509Certificate>* verified_signer_chain = nullptr;
  const X509Certificate& leaf() const { return pck_chain[0]; }
  const X509Certificate& pck_ca() const { return pck_chain[1]; }
  const X509Certificate& root() const { return pck_chain[2]; }
};

void LimitValidity(Context& c, int64_t bound) { c.valid_until = std::min(c.valid_until, bound); }

const X509Certificate* FindByDer(const Collateral& collateral, const std::vector<uint8_t>& der) {
  for (const auto* chain : {&collateral.pck_crl_issuer_chain, &collateral.tcb_info_issuer_chain}) {
    for (const auto& cert : *chain) {
      if (cert.Der() == der) return &cert;
    }
  }
  return nullptr;
}

bool SameCertificates(const std::vector<X509Certificate>& a, const std::vector<X509Certificate>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].Der() != b[i].Der()) return false;
  }
  return true;
}

// Step 1: every chain must end in the pinned root key.
Status CheckPinnedRoot(Context& c, const TrustAnchors& anchors) {
  auto blocks = crypto::SplitPemCertificates(c.quote.pck_chain_pem, 4);
  if (!blocks.ok()) return blocks.status().WithContext("quote PCK certificate chain");
  if (blocks->size() != 3) {
    return InvalidArgument("quote PCK certificate chain must hold 3 certificates (PCK, PCK CA, root), got " +
                           std::to_string(blocks->size()));
  }
  for (size_t i = 0; i < blocks->size(); ++i) {
    // The PCK CA and root usually are byte-identical to certificates of the collateral, which
    // are already parsed; reusing them saves most of the parsing cost (the leaf is parsed).
    const X509Certificate* known = i == 0 ? nullptr : FindByDer(c.collateral, (*blocks)[i]);
    if (known != nullptr) {
      c.pck_chain.push_back(*known);
      continue;
    }
    auto cert = X509Certificate::FromDer((*blocks)[i]);
    if (!cert.ok()) return cert.status().WithContext("quote PCK certificate chain, certificate " + std::to_string(i));
    c.pck_chain.push_back(std::move(cert).value());
  }
  c.anchor = anchors.Find(c.root());
  if (c.anchor == nullptr) {
    return PermissionDenied("pinned root mismatch: root '" + c.root().SubjectCommonName() +
                            "' of the PCK chain is not a trusted anchor");
  }
  S3ML_ASSIGN_OR_RETURN(c.root_spki, c.root().SubjectPublicKeyInfoDer());
  S3ML_ASSIGN_OR_RETURN(EcKey root_key, c.root().PublicKey());
  Status self = c.root().VerifySignedBy(root_key);
  if (!self.ok()) return PermissionDenied("bad signature of the root CA certificate (not self-signed)");
  c.root_key.emplace(std::move(root_key));
  struct Named {
    const char* name;
    const std::vector<X509Certificate>* chain;
  };
  for (const Named& n : {Named{"TCB Info issuer chain", &c.collateral.tcb_info_issuer_chain},
                         Named{"QE Identity issuer chain", &c.collateral.qe_identity_issuer_chain},
                         Named{"PCK CRL issuer chain", &c.collateral.pck_crl_issuer_chain}}) {
    if (n.chain->size() < 2) return InvalidArgument(std::string(n.name) + " must hold a signer and the root");
    auto spki = n.chain->back().SubjectPublicKeyInfoDer();
    if (!spki.ok() || spki.value() != c.root_spki) {
      return PermissionDenied(std::string("pinned root mismatch: the ") + n.name + " does not end in the pinned root");
    }
  }
  return Status::Ok();
}

Status CheckCrl(Context& c, const X509Crl& crl, const X509Certificate& issuer, const EcKey& issuer_key,
                const char* name) {
  if (!crl.IssuedBy(issuer)) {
    return PermissionDenied(std::string("mismatch of ") + name + " issuer: '" + crl.IssuerName() + "' is not '" +
                            issuer.SubjectName() + "'");
  }
  Status sig = crl.VerifySignedBy(issuer_key);
  if (!sig.ok()) return PermissionDenied(std::string("bad signature of the ") + name);
  Status current = crl.CheckCurrentAt(c.time);
  if (!current.ok()) return current.WithContext(std::string(name) + " validity");
  auto next = crl.NextUpdate();
  if (next.ok() && next.value()) LimitValidity(c, *next.value());
  return Status::Ok();
}

// Step 2: root CA CRL, PCK CRL, and revocation of the intermediates and the PCK leaf.
Status CheckCrls(Context& c) {
  S3ML_RETURN_IF_ERROR(CheckCrl(c, c.collateral.root_ca_crl, c.root(), *c.root_key, "root CA CRL"));
  S3ML_ASSIGN_OR_RETURN(EcKey pck_ca_key, c.pck_ca().PublicKey());
  S3ML_RETURN_IF_ERROR(CheckCrl(c, c.collateral.pck_crl, c.pck_ca(), pck_ca_key, "PCK CRL"));
  // The PCK CRL was verified with the quote's PCK CA key, whose own chain step 4 verifies; a
  // different CA certificate in the CRL's issuer chain gets its own chain check.
  const X509Certificate& crl_signer = c.collateral.pck_crl_issuer_chain.front();
  if (crl_signer.Der() != c.pck_ca().Der()) {
    Status pck_crl_chain = crypto::VerifyCertificateChain(crl_signer, c.collateral.pck_crl_issuer_chain,
                                                          std::span<const X509Certificate>(&c.root(), 1), c.time);
    if (!pck_crl_chain.ok()) return pck_crl_chain.WithContext("PCK CRL issuer chain");
  }
  const X509Crl& root_crl = c.collateral.root_ca_crl;
  if (root_crl.IsRevoked(c.pck_ca())) {
    return PermissionDenied("revoked: PCK CA certificate '" + c.pck_ca().SubjectCommonName() + "' is on the root CA CRL");
  }
  for (const auto* chain : {&c.collateral.tcb_info_issuer_chain, &c.collateral.qe_identity_issuer_chain}) {
    if (root_crl.IsRevoked(chain->front())) {
      return PermissionDenied("revoked: collateral signing certificate '" + chain->front().SubjectCommonName() +
                              "' is on the root CA CRL");
    }
  }
  if (c.collateral.pck_crl.IsRevoked(c.leaf())) {
    return PermissionDenied("revoked: PCK certificate serial " + HexEncode(c.leaf().SerialNumber()) + " is on the PCK CRL");
  }
  return Status::Ok();
}

// Step 3: one signed collateral document (TCB Info or QE Identity).
Status CheckSignedCollateral(Context& c, const char* name, const std::vector<X509Certificate>& chain,
                             const std::string& signed_text, const std::vector<uint8_t>& signature,
                             int64_t issue_date, int64_t next_update) {
  // TCB Info and QE Identity usually share one issuer chain: verify it once.
  if (c.verified_signer_chain == nullptr || !SameCertificates(*c.verified_signer_chain, chain)) {
    Status chain_ok = crypto::VerifyCertificateChain(chain.front(), chain, std::span<const X509Certificate>(&c.root(), 1), c.time);
    if (!chain_ok.ok()) return chain_ok.WithContext(std::string(name) + " issuer chain");
    c.verified_signer_chain = &chain;
  }
  S3ML_ASSIGN_OR_RETURN(EcKey signer, chain.front().PublicKey());
  if (!signer.VerifyRaw(AsBytes(signed_text), signature).ok()) {
    return PermissionDenied(std::string("bad signature of ") + name + ": does not verify with '" +
                            chain.front().SubjectCommonName() + "'");
  }
  if (c.time < issue_date) {
    return OutOfRange(std::string(name) + " not yet valid: issueDate " + FormatRfc3339(issue_date) + " is after " +
                      FormatRfc3339(c.time));
  }
  if (c.time > next_update) {
    return OutOfRange(std::string(name) + " expired: nextUpdate " + FormatRfc3339(next_update) + " is before " +
                      FormatRfc3339(c.time));
  }
  LimitValidity(c, next_update);
  return Status::Ok();
}

Status CheckCollateralDocuments(Context& c) {
  const TcbInfo& tcb = c.collateral.tcb_info;
  if (tcb.id != "SGX" || (tcb.version != 2 && tcb.version != 3)) {
    return InvalidArgument("TCB Info id/version " + tcb.id + "/" + std::to_string(tcb.version) + " is not SGX v2/v3");
  }
  S3ML_RETURN_IF_ERROR(CheckSignedCollateral(c, "TCB Info", c.collateral.tcb_info_issuer_chain, tcb.signed_text,
                                             tcb.signature, tcb.issue_date, tcb.next_update));
  const QeIdentity& qe = c.collateral.qe_identity;
  if (qe.id != "QE" || qe.version != 2) {
    return InvalidArgument("QE Identity id/version " + qe.id + "/" + std::to_string(qe.version) + " is not QE v2");
  }
  return CheckSignedCollateral(c, "QE Identity", c.collateral.qe_identity_issuer_chain, qe.signed_text,
                               qe.signature, qe.issue_date, qe.next_update);
}

// Step 4: the PCK chain itself.
Status CheckPckChain(Context& c) {
  Status chain = crypto::VerifyCertificateChain(c.leaf(), std::span<const X509Certificate>(&c.pck_ca(), 1),
                                                std::span<const X509Certificate>(&c.root(), 1), c.time);
  if (!chain.ok()) return chain.WithContext("PCK certificate chain");
  for (const auto& cert : c.pck_chain) {
    auto not_after = cert.NotAfter();
    if (not_after.ok()) LimitValidity(c, not_after.value());
  }
  S3ML_ASSIGN_OR_RETURN(EcKey pck_key, c.leaf().PublicKey());
  if (pck_key.curve() != crypto::EcCurve::kP256) return InvalidArgument("PCK key is not P-256");
  c.pck_key.emplace(std::move(pck_key));
  auto ext = SgxPckExtensionOf(c.leaf());
  if (!ext.ok()) return ext.status().WithContext("PCK certificate");
  c.pck_extension = ext.value();
  return Status::Ok();
}

// Step 5: the QE report and its binding of the attestation key.
Status CheckQeReport(Context& c) {
  if (!c.pck_key->VerifyRaw(c.quote.qe_report_bytes, c.quote.qe_report_signature).ok()) {
    return PermissionDenied("bad signature of QE report: does not verify with the PCK certificate key");
  }
  crypto::Digester d(crypto::DigestAlgorithm::kSha256);
  d.Update(c.quote.attestation_key).Update(c.quote.qe_auth_data);
  std::vector<uint8_t> expected = d.Finish();
  expected.resize(64, 0);  // QVL: hash in the first 32 bytes, zeros after
  const auto& rd = c.quote.qe_report.report_data;
  if (!std::equal(expected.begin(), expected.end(), rd.begin())) {
    return PermissionDenied("mismatch of QE report data: it is not SHA-256(attestation key || QE auth data)");
  }
  return Status::Ok();
}

// Step 6: the QE is Intel's and its TCB level.
Result<const QeTcbLevel*> CheckQeIdentity(Context& c) {
  const QeIdentity& id = c.collateral.qe_identity;
  const SgxReportBody& qe = c.quote.qe_report;
  if (qe.mrsigner != id.mrsigner) {
    return PermissionDenied("mismatch of QE MRSIGNER: " + HexEncode(qe.mrsigner) + " is not " + HexEncode(id.mrsigner));
  }
  if (qe.isv_prod_id != id.isvprodid) {
    return PermissionDenied("mismatch of QE ISVPRODID: " + std::to_string(qe.isv_prod_id) + " is not " +
                            std::to_string(id.isvprodid));
  }
  if ((qe.miscselect & id.miscselect_mask) != id.miscselect) {
    return PermissionDenied("mismatch of QE MISCSELECT under its mask");
  }
  for (size_t i = 0; i < 16; ++i) {
    if ((qe.attributes[i] & id.attributes_mask[i]) != id.attributes[i]) {
      return PermissionDenied("mismatch of QE ATTRIBUTES under their mask");
    }
  }
  for (const auto& level : id.levels) {
    if (qe.isv_svn >= level.isvsvn) {
      if (level.status == TcbStatus::kRevoked) {
        return PermissionDenied("revoked: QE TCB level for ISVSVN " + std::to_string(qe.isv_svn) + " is Revoked");
      }
      return &level;
    }
  }
  return PermissionDenied("QE TCB level not found: QE ISVSVN " + std::to_string(qe.isv_svn) +
                          " is below every level of the QE Identity");
}

// Step 8: FMSPC / PCE-ID and the platform TCB level.
Result<const TcbLevel*> CheckPlatformTcb(Context& c) {
  const TcbInfo& tcb = c.collateral.tcb_info;
  const SgxPckExtension& ext = c.pck_extension;
  if (tcb.fmspc != ext.fmspc) {
    return PermissionDenied("mismatch of FMSPC: TCB Info is for " + HexEncode(tcb.fmspc) + ", the PCK certificate says " +
                            HexEncode(ext.fmspc));
  }
  if (tcb.pce_id != ext.pce_id) {
    return PermissionDenied("mismatch of PCE-ID: TCB Info has " + HexEncode(tcb.pce_id) + ", the PCK certificate " +
                            HexEncode(ext.pce_id));
  }
  for (const auto& level : tcb.levels) {
    bool components_ok = true;
    for (size_t i = 0; i < 16; ++i) components_ok = components_ok && ext.tcb_component_svns[i] >= level.sgx_component_svns[i];
    if (components_ok && ext.pcesvn >= level.pcesvn) return &level;
  }
  return PermissionDenied("platform TCB level not found: the PCK certificate's TCB (PCESVN " +
                          std::to_string(ext.pcesvn) + ") is below every level of the TCB Info");
}

}  // namespace

Result<VerifiedQuote> VerifyDcapQuote(std::span<const uint8_t> quote_bytes, const Collateral& collateral,
                                      const TrustAnchors& anchors, int64_t unix_time) {
  S3ML_ASSIGN_OR_RETURN(SgxQuote quote, ParseSgxQuote(quote_bytes));
  return VerifyDcapQuote(quote, collateral, anchors, unix_time);
}

Result<VerifiedQuote> VerifyDcapQuote(const SgxQuote& quote, const Collateral& collateral,
                                      const TrustAnchors& anchors, int64_t unix_time) {
  Context c(quote, collateral, unix_time);
  S3ML_RETURN_IF_ERROR(CheckPinnedRoot(c, anchors));
  S3ML_RETURN_IF_ERROR(CheckCrls(c));
  S3ML_RETURN_IF_ERROR(CheckCollateralDocuments(c));
  S3ML_RETURN_IF_ERROR(CheckPckChain(c));
  S3ML_RETURN_IF_ERROR(CheckQeReport(c));
  S3ML_ASSIGN_OR_RETURN(const QeTcbLevel* qe_level, CheckQeIdentity(c));

  S3ML_ASSIGN_OR_RETURN(EcKey attestation_key, EcKey::FromRawPublicKey(crypto::EcCurve::kP256, quote.attestation_key));
  if (!attestation_key.VerifyRaw(quote.signed_bytes, quote.quote_signature).ok()) {
    return PermissionDenied("bad signature of quote: header and report body do not verify with the attestation key");
  }
  S3ML_ASSIGN_OR_RETURN(const TcbLevel* platform_level, CheckPlatformTcb(c));

  VerifiedQuote out;
  out.platform_tcb_status = platform_level->status;
  out.qe_tcb_status = qe_level->status;
  out.tcb_status = MergeTcbStatus(platform_level->status, qe_level->status);
  if (out.tcb_status == TcbStatus::kRevoked) {
    return PermissionDenied("revoked: platform TCB status is Revoked (FMSPC " + HexEncode(c.pck_extension.fmspc) + ")");
  }
  out.advisory_ids = platform_level->advisory_ids;
  for (const auto& id : qe_level->advisory_ids) {
    if (std::find(out.advisory_ids.begin(), out.advisory_ids.end(), id) == out.advisory_ids.end()) {
      out.advisory_ids.push_back(id);
    }
  }
  const SgxReportBody& body = quote.report_body;
  out.identity = EnclaveIdentity{.mrenclave = body.mrenclave,
                                 .mrsigner = body.mrsigner,
                                 .isv_prod_id = body.isv_prod_id,
                                 .isv_svn = body.isv_svn,
                                 .debug = body.debug(),
                                 .report_data = body.report_data};
  out.fmspc = c.pck_extension.fmspc;
  out.pce_id = c.pck_extension.pce_id;
  out.trust_anchor = c.anchor->name;
  out.simulated_root = c.anchor->simulated;
  out.valid_until = c.valid_until;
  return out;
}

}  // namespace s3ml::attest
