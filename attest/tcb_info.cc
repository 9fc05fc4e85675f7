#include "attest/tcb_info.h"

#include <cstdio>

#include "attest/json_fields.h"
#include "attest/signed_json.h"
#include "attest/tcb_level_fields.h"

namespace s3ml::attest {
namespace {

namespace jf = json_fields;

Status ParseComponents(const nlohmann::json& tcb, const std::string& path, int version, TcbLevel* level) {
  if (version >= 3) {
    S3ML_ASSIGN_OR_RETURN(const nlohmann::json* comps, jf::Member(tcb, path, "sgxtcbcomponents"));
    if (!comps->is_array() || comps->size() != 16) {
      return InvalidArgument(path + ".sgxtcbcomponents must be an array of 16 components");
    }
    for (size_t i = 0; i < 16; ++i) {
      S3ML_ASSIGN_OR_RETURN(int64_t svn, jf::Integer((*comps)[i], path + ".sgxtcbcomponents[" + std::to_string(i) + "]",
                                                     "svn", 0, 255));
      level->sgx_component_svns[i] = static_cast<uint8_t>(svn);
    }
  } else {
    for (size_t i = 0; i < 16; ++i) {
      char key[32];
      std::snprintf(key, sizeof(key), "sgxtcbcomp%02zusvn", i + 1);
      S3ML_ASSIGN_OR_RETURN(int64_t svn, jf::Integer(tcb, path, key, 0, 255));
      level->sgx_component_svns[i] = static_cast<uint8_t>(svn);
    }
  }
  S3ML_ASSIGN_OR_RETURN(int64_t pcesvn, jf::Integer(tcb, path, "pcesvn", 0, 65535));
  level->pcesvn = static_cast<uint16_t>(pcesvn);
  return Status::Ok();
}

}  // namespace

Result<TcbInfo> ParseTcbInfoJson(std::string_view document) {
  S3ML_ASSIGN_OR_RETURN(SignedJson signed_json, ParseSignedJson(document, "tcbInfo"));
  const nlohmann::json& j = signed_json.value;
  const std::string path = "tcbInfo";
  TcbInfo info;
  S3ML_ASSIGN_OR_RETURN(int64_t version, jf::Integer(j, path, "version", 0, 1000));
  if (version != 2 && version != 3) {
    return Unimplemented("tcbInfo.version " + std::to_string(version) + " is not supported (2 or 3)");
  }
  info.version = static_cast<int>(version);
  if (version == 3) {
    S3ML_ASSIGN_OR_RETURN(info.id, jf::String(j, path, "id"));
    if (info.id != "SGX") return Unimplemented("tcbInfo.id '" + info.id + "' is not supported (only SGX)");
  } else {
    info.id = "SGX";
  }
  S3ML_ASSIGN_OR_RETURN(info.issue_date, jf::Time(j, path, "issueDate"));
  S3ML_ASSIGN_OR_RETURN(info.next_update, jf::Time(j, path, "nextUpdate"));
  S3ML_ASSIGN_OR_RETURN(auto fmspc, jf::HexBytes(j, path, "fmspc", 6));
  std::copy(fmspc.begin(), fmspc.end(), info.fmspc.begin());
  S3ML_ASSIGN_OR_RETURN(auto pce_id, jf::HexBytes(j, path, "pceId", 2));
  std::copy(pce_id.begin(), pce_id.end(), info.pce_id.begin());
  S3ML_ASSIGN_OR_RETURN(int64_t tcb_type, jf::Integer(j, path, "tcbType", 0, 0));
  info.tcb_type = static_cast<int>(tcb_type);
  S3ML_ASSIGN_OR_RETURN(info.tcb_evaluation_data_number,
                        jf::Integer(j, path, "tcbEvaluationDataNumber", 0, INT32_MAX));

  S3ML_ASSIGN_OR_RETURN(const nlohmann::json* levels, jf::Member(j, path, "tcbLevels"));
  if (!levels->is_array() || levels->empty()) return InvalidArgument("tcbInfo.tcbLevels must be a non-empty array");
  for (size_t i = 0; i < levels->size(); ++i) {
    const nlohmann::json& l = (*levels)[i];
    const std::string lpath = "tcbInfo.tcbLevels[" + std::to_string(i) + "]";
    TcbLevel level;
    S3ML_ASSIGN_OR_RETURN(const nlohmann::json* tcb, jf::Member(l, lpath, "tcb"));
    S3ML_RETURN_IF_ERROR(ParseComponents(*tcb, lpath + ".tcb", info.version, &level));
    S3ML_RETURN_IF_ERROR(ParseTcbLevelFields(l, lpath, &level));
    info.levels.push_back(std::move(level));
  }
  info.signed_text = std::move(signed_json.signed_text);
  info.signature = std::move(signed_json.signature);
  return info;
}

}  // namespace s3ml::attest
