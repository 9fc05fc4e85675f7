// TcbStatus: Intel's TCB status values (TCB Info and QE Identity "tcbStatus") and the rule by
// which Intel's QVL merges the QE's status into the platform's.
#ifndef S3ML_ATTEST_TCB_STATUS_H_
#define S3ML_ATTEST_TCB_STATUS_H_

#include <string_view>

#include "core/status.h"

namespace s3ml::attest {

enum class TcbStatus {
  kUpToDate,
  kSwHardeningNeeded,
  kConfigurationNeeded,
  kConfigurationAndSwHardeningNeeded,
  kOutOfDate,
  kOutOfDateConfigurationNeeded,
  kRevoked,
};

// The JSON spelling, e.g. "ConfigurationAndSWHardeningNeeded".
std::string_view TcbStatusName(TcbStatus status);
// kInvalidArgument for any string Intel does not define (an unknown status is never trusted).
Result<TcbStatus> ParseTcbStatus(std::string_view name);

// QVL's convergence of the platform TCB level status with the QE TCB level status: an OutOfDate QE
// makes an up-to-date platform OutOfDate (and a configuration-needing one
// OutOfDateConfigurationNeeded); a Revoked QE makes the result Revoked; otherwise the platform's
// status stands.
TcbStatus MergeTcbStatus(TcbStatus platform, TcbStatus qe);

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_TCB_STATUS_H_
