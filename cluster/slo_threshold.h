// The paging-rate threshold at which a latency SLO is lost: fitted from benchmark points
// (paging throughput, p99 latency), e.g. by `s3ml bench epc-slo`. The servers' EPC weight policy
// (--epc-critical-pages-per-s) and the autoscaler's target are configured from it.
//
// Fit (pure, no I/O): points are sorted by paging rate and p99 is replaced by its running maximum,
// a monotone upper envelope (latency is assumed not to improve as paging grows; a point that was
// fast despite more paging than a slow one does not hide the slow one). The threshold is where
// that envelope crosses the SLO, interpolated linearly between the last envelope point within the
// SLO and the first above it. So every measured point below the lower bracket met the SLO; the
// fit is conservative, not a least-squares model. A p99 equal to the SLO meets it.
#ifndef S3ML_CLUSTER_SLO_THRESHOLD_H_
#define S3ML_CLUSTER_SLO_THRESHOLD_H_

#include <cstddef>
#include <vector>

#include "core/status.h"

namespace s3ml::cluster {

struct SloPoint {
  double pages_per_second = 0;  // paging throughput (EWB + ELDU per second), finite, >= 0
  double p99_ms = 0;            // >= 0; +infinity allowed (e.g. every request failed)
};

enum class SloCrossing {
  kNoData,       // no usable point
  kNotCrossed,   // every point meets the SLO: the threshold is above the highest rate measured
  kCrossed,      // `pages_per_second` is the fitted threshold
  kAlwaysAbove,  // even the lowest paging rate measured misses the SLO (no threshold exists)
};

const char* SloCrossingName(SloCrossing crossing);  // "no data", "not crossed", "crossed", "always above"

struct SloThreshold {
  SloCrossing crossing = SloCrossing::kNoData;
  // kCrossed: the threshold. kNotCrossed: the highest rate measured (a lower bound).
  // kAlwaysAbove: the lowest rate measured. kNoData: 0.
  double pages_per_second = 0;
  // kCrossed: the envelope points around the crossing (lower meets the SLO, upper misses it).
  SloPoint lower;
  SloPoint upper;
  size_t points_used = 0;
  size_t points_ignored = 0;  // NaN, negative or infinite rate, NaN or negative p99
};

// InvalidArgument unless slo_ms is finite and > 0. Unusable points are skipped and counted.
Result<SloThreshold> FitSloThreshold(std::vector<SloPoint> points, double slo_ms);

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_SLO_THRESHOLD_H_
