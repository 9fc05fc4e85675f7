#include "attest/tcb_status.h"

#include <string>

namespace s3ml::attest {
namespace {

struct Named {
  TcbStatus status;
  std::string_view name;
};

constexpr Named kNames[] = {
    {TcbStatus::kUpToDate, "UpToDate"},
    {TcbStatus::kSwHardeningNeeded, "SWHardeningNeeded"},
    {TcbStatus::kConfigurationNeeded, "ConfigurationNeeded"},
    {TcbStatus::kConfigurationAndSwHardeningNeeded, "ConfigurationAndSWHardeningNeeded"},
    {TcbStatus::kOutOfDate, "OutOfDate"},
    {TcbStatus::kOutOfDateConfigurationNeeded, "OutOfDateConfigurationNeeded"},
    {TcbStatus::kRevoked, "Revoked"},
};

}  // namespace

std::string_view TcbStatusName(TcbStatus status) {
  for (const auto& n : kNames) {
    if (n.status == status) return n.name;
  }
  return "Unknown";
}

Result<TcbStatus> ParseTcbStatus(std::string_view name) {
  for (const auto& n : kNames) {
    if (n.name == name) return n.status;
  }
  return InvalidArgument("unknown TCB status '" + std::string(name) + "'");
}

TcbStatus MergeTcbStatus(TcbStatus platform, TcbStatus qe) {
  if (qe == TcbStatus::kRevoked) return TcbStatus::kRevoked;
  if (qe == TcbStatus::kOutOfDate) {
    switch (platform) {
      case TcbStatus::kUpToDate:
      case TcbStatus::kSwHardeningNeeded:
        return TcbStatus::kOutOfDate;
      case TcbStatus::kConfigurationNeeded:
      case TcbStatus::kConfigurationAndSwHardeningNeeded:
        return TcbStatus::kOutOfDateConfigurationNeeded;
      default:
        break;
    }
  }
  return platform;
}

}  // namespace s3ml::attest
