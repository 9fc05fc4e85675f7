// LatencySummary: min / median / max of repeated measurements (the median of an even count is
// the mean of the two middle values).
#ifndef S3ML_CLIENT_LATENCY_SUMMARY_H_
#define S3ML_CLIENT_LATENCY_SUMMARY_H_

#include <vector>

namespace s3ml::client {

struct LatencySummary {
  double min = 0;
  double median = 0;
  double max = 0;
};

// All zero for an empty input.
LatencySummary Summarize(std::vector<double> samples);

}  // namespace s3ml::client

#endif  // S3ML_CLIENT_LATENCY_SUMMARY_H_
