#include "attest/collateral.h"

#include "core/file.h"

namespace s3ml::attest {
namespace {

constexpr size_t kMaxCollateralFile = 1 << 20;

Result<crypto::X509Crl> ParseCrl(const std::vector<uint8_t>& bytes, const std::string& name) {
  static constexpr std::string_view kPem = "-----BEGIN X509 CRL-----";
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto crl = text.find(kPem) != std::string_view::npos ? crypto::X509Crl::FromPem(text) : crypto::X509Crl::FromDer(bytes);
  if (!crl.ok()) return crl.status().WithContext(name);
  return crl;
}

Result<std::vector<crypto::X509Certificate>> ParseChain(const std::string& pem, const std::string& name) {
  auto chain = crypto::ParsePemCertificateChain(pem, 4);
  if (!chain.ok()) return chain.status().WithContext(name);
  return chain;
}

}  // namespace

Result<CollateralFiles> ReadCollateralFiles(const std::string& directory) {
  CollateralFiles f;
  auto text = [&](const char* name, std::string* out) -> Status {
    auto r = ReadFileText(directory + "/" + name, kMaxCollateralFile);
    if (!r.ok()) return r.status().WithContext(std::string("collateral ") + name);
    *out = std::move(r).value();
    return Status::Ok();
  };
  auto bytes = [&](const char* name, std::vector<uint8_t>* out) -> Status {
    auto r = ReadFileBytes(directory + "/" + name, kMaxCollateralFile);
    if (!r.ok()) return r.status().WithContext(std::string("collateral ") + name);
    *out = std::move(r).value();
    return Status::Ok();
  };
  S3ML_RETURN_IF_ERROR(text("tcb_info.json", &f.tcb_info_json));
  S3ML_RETURN_IF_ERROR(text("tcb_info_issuer_chain.pem", &f.tcb_info_issuer_chain_pem));
  S3ML_RETURN_IF_ERROR(text("qe_identity.json", &f.qe_identity_json));
  S3ML_RETURN_IF_ERROR(text("qe_identity_issuer_chain.pem", &f.qe_identity_issuer_chain_pem));
  S3ML_RETURN_IF_ERROR(bytes("pck_crl.der", &f.pck_crl));
  S3ML_RETURN_IF_ERROR(text("pck_crl_issuer_chain.pem", &f.pck_crl_issuer_chain_pem));
  S3ML_RETURN_IF_ERROR(bytes("root_ca_crl.der", &f.root_ca_crl));
  return f;
}

Result<Collateral> ParseCollateral(const CollateralFiles& files) {
  auto tcb_info = ParseTcbInfoJson(files.tcb_info_json);
  if (!tcb_info.ok()) return tcb_info.status().WithContext("tcb_info.json");
  auto qe_identity = ParseQeIdentityJson(files.qe_identity_json);
  if (!qe_identity.ok()) return qe_identity.status().WithContext("qe_identity.json");
  S3ML_ASSIGN_OR_RETURN(auto tcb_chain, ParseChain(files.tcb_info_issuer_chain_pem, "tcb_info_issuer_chain.pem"));
  S3ML_ASSIGN_OR_RETURN(auto qe_chain, ParseChain(files.qe_identity_issuer_chain_pem, "qe_identity_issuer_chain.pem"));
  S3ML_ASSIGN_OR_RETURN(auto pck_crl_chain, ParseChain(files.pck_crl_issuer_chain_pem, "pck_crl_issuer_chain.pem"));
  S3ML_ASSIGN_OR_RETURN(auto pck_crl, ParseCrl(files.pck_crl, "pck_crl.der"));
  S3ML_ASSIGN_OR_RETURN(auto root_crl, ParseCrl(files.root_ca_crl, "root_ca_crl.der"));
  return Collateral{
      .tcb_info = std::move(tcb_info).value(),
      .tcb_info_issuer_chain = std::move(tcb_chain),
      .qe_identity = std::move(qe_identity).value(),
      .qe_identity_issuer_chain = std::move(qe_chain),
      .pck_crl = std::move(pck_crl),
      .pck_crl_issuer_chain = std::move(pck_crl_chain),
      .root_ca_crl = std::move(root_crl),
  };
}

Result<Collateral> LoadCollateralDirectory(const std::string& directory) {
  S3ML_ASSIGN_OR_RETURN(CollateralFiles files, ReadCollateralFiles(directory));
  return ParseCollateral(files);
}

}  // namespace s3ml::attest
