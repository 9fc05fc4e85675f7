// The fields every TCB level of Intel's collateral carries, in TCB Info and QE Identity alike:
// tcbDate, tcbStatus and the optional advisoryIDs. One parser for both documents so that they
// can never disagree on what a status or date means.
#ifndef S3ML_ATTEST_TCB_LEVEL_FIELDS_H_
#define S3ML_ATTEST_TCB_LEVEL_FIELDS_H_

#include <nlohmann/json.hpp>

#include <string>

#include "attest/json_fields.h"
#include "attest/tcb_status.h"
#include "core/status.h"

namespace s3ml::attest {

// Level: any struct with tcb_date, status and advisory_ids (TcbLevel, QeTcbLevel). path names
// the level in error messages ("tcbInfo.tcbLevels[3]").
template <typename Level>
Status ParseTcbLevelFields(const nlohmann::json& level_json, const std::string& path, Level* level) {
  S3ML_ASSIGN_OR_RETURN(level->tcb_date, json_fields::Time(level_json, path, "tcbDate"));
  S3ML_ASSIGN_OR_RETURN(std::string status, json_fields::String(level_json, path, "tcbStatus"));
  Result<TcbStatus> parsed = ParseTcbStatus(status);
  if (!parsed.ok()) return parsed.status().WithContext(path + ".tcbStatus");
  level->status = parsed.value();
  S3ML_ASSIGN_OR_RETURN(level->advisory_ids,
                        json_fields::StringArray(level_json, path, "advisoryIDs", /*optional=*/true));
  return Status::Ok();
}

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_TCB_LEVEL_FIELDS_H_
