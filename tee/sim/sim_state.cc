#include "tee/sim/sim_state.h"

#include <nlohmann/json.hpp>

#include "core/hex.h"

namespace s3ml::tee::sim {
namespace {

using Json = nlohmann::json;

template <size_t N>
Status ReadHex(const Json& j, const char* key, std::array<uint8_t, N>* out) {
  if (!j.contains(key) || !j[key].is_string())
    return InvalidArgument(std::string("sim.json: ") + key + " must be a hex string");
  auto bytes = HexDecode(j[key].get<std::string>());
  if (!bytes.ok() || bytes->size() != N) {
    return InvalidArgument(std::string("sim.json: ") + key + " must be " + std::to_string(N) + " bytes of hex");
  }
  std::copy(bytes->begin(), bytes->end(), out->begin());
  return Status::Ok();
}

template <typename T>
Status ReadInt(const Json& j, const char* key, int64_t min, int64_t max, T* out) {
  if (!j.contains(key) || !j[key].is_number_integer())
    return InvalidArgument(std::string("sim.json: ") + key + " must be an integer");
  int64_t v = j[key].get<int64_t>();
  if (v < min || v > max) {
    return InvalidArgument(std::string("sim.json: ") + key + " " + std::to_string(v) + " is outside [" +
                           std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  *out = static_cast<T>(v);
  return Status::Ok();
}

}  // namespace

bool IsKnownTcbStatus(std::string_view s) {
  for (std::string_view known :
       {"UpToDate", "SWHardeningNeeded", "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded", "OutOfDate",
        "OutOfDateConfigurationNeeded", "Revoked"}) {
    if (s == known) return true;
  }
  return false;
}

std::string SimState::ToJson() const {
  Json j = {{"version", 1},
            {"fmspc", HexEncode(fmspc)},
            {"pce_id", HexEncode(pce_id)},
            {"tcb_status", tcb_status},
            {"tcb_component_svns", HexEncode(tcb_component_svns)},
            {"pcesvn", pcesvn},
            {"cpusvn", HexEncode(cpusvn)},
            {"ppid", HexEncode(ppid)},
            {"qe_isvprodid", qe_isv_prod_id},
            {"qe_isvsvn", qe_isv_svn},
            {"qe_mrsigner", HexEncode(qe_mrsigner)},
            {"validity_days", validity_days},
            {"tcb_evaluation_data_number", tcb_evaluation_data_number},
            {"crl_number", crl_number},
            {"pck_revoked_at", pck_revoked_at}};
  return j.dump(2) + "\n";
}

Result<SimState> SimState::FromJson(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("sim.json is not a JSON object");
  int version = 0;
  S3ML_RETURN_IF_ERROR(ReadInt(j, "version", 1, 1, &version));
  SimState s;
  S3ML_RETURN_IF_ERROR(ReadHex(j, "fmspc", &s.fmspc));
  S3ML_RETURN_IF_ERROR(ReadHex(j, "pce_id", &s.pce_id));
  if (!j.contains("tcb_status") || !j["tcb_status"].is_string() ||
      !IsKnownTcbStatus(j["tcb_status"].get<std::string>())) {
    return InvalidArgument("sim.json: tcb_status is not a TCB status Intel defines");
  }
  s.tcb_status = j["tcb_status"].get<std::string>();
  S3ML_RETURN_IF_ERROR(ReadHex(j, "tcb_component_svns", &s.tcb_component_svns));
  S3ML_RETURN_IF_ERROR(ReadInt(j, "pcesvn", 0, 65535, &s.pcesvn));
  S3ML_RETURN_IF_ERROR(ReadHex(j, "cpusvn", &s.cpusvn));
  S3ML_RETURN_IF_ERROR(ReadHex(j, "ppid", &s.ppid));
  S3ML_RETURN_IF_ERROR(ReadInt(j, "qe_isvprodid", 0, 65535, &s.qe_isv_prod_id));
  S3ML_RETURN_IF_ERROR(ReadInt(j, "qe_isvsvn", 1, 65535, &s.qe_isv_svn));
  S3ML_RETURN_IF_ERROR(ReadHex(j, "qe_mrsigner", &s.qe_mrsigner));
  S3ML_RETURN_IF_ERROR(ReadInt(j, "validity_days", 1, 3650, &s.validity_days));
  S3ML_RETURN_IF_ERROR(ReadInt(j, "tcb_evaluation_data_number", 0, INT32_MAX, &s.tcb_evaluation_data_number));
  S3ML_RETURN_IF_ERROR(ReadInt(j, "crl_number", 0, INT64_MAX, &s.crl_number));
  S3ML_RETURN_IF_ERROR(ReadInt(j, "pck_revoked_at", 0, INT64_MAX, &s.pck_revoked_at));
  return s;
}

}  // namespace s3ml::tee::sim
