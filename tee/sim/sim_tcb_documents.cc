#include "tee/sim/sim_tcb_documents.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "core/byte_reader.h"
#include "core/hex.h"
#include "core/time_format.h"

namespace s3ml::tee::sim {
namespace {

// Ordered, so that the documents read like Intel's (id, version, issueDate, ...).
using Json = nlohmann::ordered_json;

constexpr int64_t kDay = 24 * 3600;

std::string UpperHex(std::span<const uint8_t> bytes) {
  std::string s = HexEncode(bytes);
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

Json TcbLevel(const std::array<uint8_t, 16>& svns, uint16_t pcesvn, int64_t date, const std::string& status) {
  Json components = Json::array();
  for (uint8_t svn : svns) components.push_back(Json{{"svn", svn}});
  Json level = {{"tcb", {{"sgxtcbcomponents", components}, {"pcesvn", pcesvn}}},
                {"tcbDate", FormatRfc3339(date)},
                {"tcbStatus", status}};
  if (status != "UpToDate") level["advisoryIDs"] = Json::array({kSimAdvisoryId});
  return level;
}

// {"<member>":<member JSON>,"signature":"<hex r||s over the member's bytes>"}
Result<std::string> SignMember(const std::string& member_name, const Json& member, const crypto::EcKey& key) {
  const std::string text = member.dump();
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> signature, key.SignRaw(AsBytes(text)));
  return "{\"" + member_name + "\":" + text + ",\"signature\":\"" + HexEncode(signature) + "\"}";
}

}  // namespace

Result<std::string> BuildTcbInfoJson(const SimState& s, int64_t issue_time, const crypto::EcKey& key) {
  // tcbDate of the platform's level: a fixed distance before issue, so levels stay ordered.
  const int64_t platform_date = issue_time - 90 * kDay;
  Json levels = Json::array();
  if (s.tcb_status != "UpToDate") {
    std::array<uint8_t, 16> newer = s.tcb_component_svns;
    if (newer[0] == 255) return InvalidArgument("sim TCB component 1 SVN is 255: no newer level can exist");
    newer[0] = static_cast<uint8_t>(newer[0] + 1);
    levels.push_back(TcbLevel(newer, s.pcesvn, issue_time - 30 * kDay, "UpToDate"));
  }
  levels.push_back(TcbLevel(s.tcb_component_svns, s.pcesvn, platform_date, s.tcb_status));
  if (s.pcesvn > 0) {
    levels.push_back(
        TcbLevel(s.tcb_component_svns, static_cast<uint16_t>(s.pcesvn - 1), platform_date - 365 * kDay, "OutOfDate"));
  }
  Json info = {{"id", "SGX"},
               {"version", 3},
               {"issueDate", FormatRfc3339(issue_time)},
               {"nextUpdate", FormatRfc3339(issue_time + s.validity_days * kDay)},
               {"fmspc", UpperHex(s.fmspc)},
               {"pceId", UpperHex(s.pce_id)},
               {"tcbType", 0},
               {"tcbEvaluationDataNumber", s.tcb_evaluation_data_number},
               {"tcbLevels", levels}};
  return SignMember("tcbInfo", info, key);
}

Result<std::string> BuildQeIdentityJson(const SimState& s, int64_t issue_time, const crypto::EcKey& key) {
  Json levels = Json::array();
  levels.push_back(Json{{"tcb", {{"isvsvn", s.qe_isv_svn}}},
                        {"tcbDate", FormatRfc3339(issue_time - 90 * kDay)},
                        {"tcbStatus", "UpToDate"}});
  if (s.qe_isv_svn > 1) {
    levels.push_back(Json{{"tcb", {{"isvsvn", s.qe_isv_svn - 1}}},
                          {"tcbDate", FormatRfc3339(issue_time - 455 * kDay)},
                          {"tcbStatus", "OutOfDate"},
                          {"advisoryIDs", Json::array({kSimAdvisoryId})}});
  }
  Json identity = {{"id", "QE"},
                   {"version", 2},
                   {"issueDate", FormatRfc3339(issue_time)},
                   {"nextUpdate", FormatRfc3339(issue_time + s.validity_days * kDay)},
                   {"tcbEvaluationDataNumber", s.tcb_evaluation_data_number},
                   {"miscselect", "00000000"},
                   {"miscselectMask", "FFFFFFFF"},
                   {"attributes", "11000000000000000000000000000000"},
                   {"attributesMask", "FBFFFFFFFFFFFFFF0000000000000000"},
                   {"mrsigner", UpperHex(s.qe_mrsigner)},
                   {"isvprodid", s.qe_isv_prod_id},
                   {"tcbLevels", levels}};
  return SignMember("enclaveIdentity", identity, key);
}

}  // namespace s3ml::tee::sim
