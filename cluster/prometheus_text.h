// Reading samples out of a Prometheus text exposition (format 0.0.4), as the autoscaler scrapes
// each host's s3ml-epcd: `name{label="value",...} value [timestamp]` lines, '#' comments.
//
// The text comes over the network from another process, so it is untrusted: a malformed line is
// skipped (never a crash), label values may hold the escapes \\, \" and \n, values may be NaN or
// +Inf/-Inf as the format allows.
#ifndef S3ML_CLUSTER_PROMETHEUS_TEXT_H_
#define S3ML_CLUSTER_PROMETHEUS_TEXT_H_

#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace s3ml::cluster {

// The value of the first sample named `name` whose labels are exactly `labels`. kNotFound naming
// the series if there is none.
Result<double> FindPrometheusSample(std::string_view text, std::string_view name,
                                    const std::map<std::string, std::string>& labels);

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_PROMETHEUS_TEXT_H_
