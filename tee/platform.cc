#include "tee/platform.h"

#include <string>

namespace s3ml::tee {

Status CheckReportDataSize(std::span<const uint8_t> report_data) {
  if (report_data.size() != kReportDataSize) {
    return InvalidArgument("report_data must be 64 bytes, got " + std::to_string(report_data.size()));
  }
  return Status::Ok();
}

Status CheckSealKeyLabel(std::string_view label) {
  if (label.empty() || label.size() > kMaxSealKeyLabelSize) {
    return InvalidArgument("seal key label must be 1..256 bytes, got " + std::to_string(label.size()));
  }
  return Status::Ok();
}

}  // namespace s3ml::tee
