#include "attest/qe_identity.h"

#include "attest/json_fields.h"
#include "attest/signed_json.h"
#include "attest/tcb_level_fields.h"

namespace s3ml::attest {
namespace {

namespace jf = json_fields;

uint32_t BigEndianU32(const std::vector<uint8_t>& b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

}  // namespace

Result<QeIdentity> ParseQeIdentityJson(std::string_view document) {
  S3ML_ASSIGN_OR_RETURN(SignedJson signed_json, ParseSignedJson(document, "enclaveIdentity"));
  const nlohmann::json& j = signed_json.value;
  const std::string path = "enclaveIdentity";
  QeIdentity qe;
  S3ML_ASSIGN_OR_RETURN(qe.id, jf::String(j, path, "id"));
  if (qe.id != "QE") return Unimplemented("enclaveIdentity.id '" + qe.id + "' is not supported (only QE)");
  S3ML_ASSIGN_OR_RETURN(int64_t version, jf::Integer(j, path, "version", 0, 1000));
  if (version != 2) return Unimplemented("enclaveIdentity.version " + std::to_string(version) + " is not supported (2)");
  qe.version = 2;
  S3ML_ASSIGN_OR_RETURN(qe.issue_date, jf::Time(j, path, "issueDate"));
  S3ML_ASSIGN_OR_RETURN(qe.next_update, jf::Time(j, path, "nextUpdate"));
  S3ML_ASSIGN_OR_RETURN(qe.tcb_evaluation_data_number, jf::Integer(j, path, "tcbEvaluationDataNumber", 0, INT32_MAX));
  S3ML_ASSIGN_OR_RETURN(auto miscselect, jf::HexBytes(j, path, "miscselect", 4));
  S3ML_ASSIGN_OR_RETURN(auto miscselect_mask, jf::HexBytes(j, path, "miscselectMask", 4));
  qe.miscselect = BigEndianU32(miscselect);
  qe.miscselect_mask = BigEndianU32(miscselect_mask);
  S3ML_ASSIGN_OR_RETURN(auto attributes, jf::HexBytes(j, path, "attributes", 16));
  S3ML_ASSIGN_OR_RETURN(auto attributes_mask, jf::HexBytes(j, path, "attributesMask", 16));
  std::copy(attributes.begin(), attributes.end(), qe.attributes.begin());
  std::copy(attributes_mask.begin(), attributes_mask.end(), qe.attributes_mask.begin());
  S3ML_ASSIGN_OR_RETURN(auto mrsigner, jf::HexBytes(j, path, "mrsigner", 32));
  std::copy(mrsigner.begin(), mrsigner.end(), qe.mrsigner.begin());
  S3ML_ASSIGN_OR_RETURN(int64_t isvprodid, jf::Integer(j, path, "isvprodid", 0, 65535));
  qe.isvprodid = static_cast<uint16_t>(isvprodid);

  S3ML_ASSIGN_OR_RETURN(const nlohmann::json* levels, jf::Member(j, path, "tcbLevels"));
  if (!levels->is_array() || levels->empty()) return InvalidArgument("enclaveIdentity.tcbLevels must be a non-empty array");
  for (size_t i = 0; i < levels->size(); ++i) {
    const nlohmann::json& l = (*levels)[i];
    const std::string lpath = path + ".tcbLevels[" + std::to_string(i) + "]";
    QeTcbLevel level;
    S3ML_ASSIGN_OR_RETURN(const nlohmann::json* tcb, jf::Member(l, lpath, "tcb"));
    S3ML_ASSIGN_OR_RETURN(int64_t isvsvn, jf::Integer(*tcb, lpath + ".tcb", "isvsvn", 0, 65535));
    level.isvsvn = static_cast<uint16_t>(isvsvn);
    S3ML_RETURN_IF_ERROR(ParseTcbLevelFields(l, lpath, &level));
    qe.levels.push_back(std::move(level));
  }
  qe.signed_text = std::move(signed_json.signed_text);
  qe.signature = std::move(signed_json.signature);
  return qe;
}

}  // namespace s3ml::attest
