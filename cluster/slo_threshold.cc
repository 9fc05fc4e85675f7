#include "cluster/slo_threshold.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace s3ml::cluster {

const char* SloCrossingName(SloCrossing crossing) {
  switch (crossing) {
    case SloCrossing::kNoData:
      return "no data";
    case SloCrossing::kNotCrossed:
      return "not crossed";
    case SloCrossing::kCrossed:
      return "crossed";
    case SloCrossing::kAlwaysAbove:
      return "always above";
  }
  return "?";
}

Result<SloThreshold> FitSloThreshold(std::vector<SloPoint> points, double slo_ms) {
  if (!(std::isfinite(slo_ms) && slo_ms > 0))
    return InvalidArgument("SLO must be a finite latency > 0 ms, got " + std::to_string(slo_ms));
  SloThreshold fit;
  std::vector<SloPoint> usable;
  for (const SloPoint& p : points) {
    const bool rate_ok = std::isfinite(p.pages_per_second) && p.pages_per_second >= 0;
    const bool p99_ok = !std::isnan(p.p99_ms) && p.p99_ms >= 0;
    if (rate_ok && p99_ok)
      usable.push_back(p);
    else
      ++fit.points_ignored;
  }
  fit.points_used = usable.size();
  if (usable.empty()) return fit;

  // At equal rates the smaller p99 first: the envelope then takes the larger one at that rate.
  std::sort(usable.begin(), usable.end(), [](const SloPoint& a, const SloPoint& b) {
    return a.pages_per_second != b.pages_per_second ? a.pages_per_second < b.pages_per_second : a.p99_ms < b.p99_ms;
  });
  for (size_t i = 1; i < usable.size(); ++i) usable[i].p99_ms = std::max(usable[i].p99_ms, usable[i - 1].p99_ms);

  const auto first_over =
      std::find_if(usable.begin(), usable.end(), [slo_ms](const SloPoint& p) { return p.p99_ms > slo_ms; });
  if (first_over == usable.end()) {
    fit.crossing = SloCrossing::kNotCrossed;
    fit.pages_per_second = usable.back().pages_per_second;
    return fit;
  }
  // Points tied at the lowest rate all count as "the lowest rate": any of them over the SLO means
  // there is no rate known to meet it.
  if (first_over->pages_per_second == usable.front().pages_per_second) {
    fit.crossing = SloCrossing::kAlwaysAbove;
    fit.pages_per_second = usable.front().pages_per_second;
    return fit;
  }
  // The lower bracket is the last point at a strictly lower rate (it meets the SLO: it precedes
  // first_over), so a point meeting the SLO at the crossing's own rate does not pull it up.
  const SloPoint& upper = *first_over;
  auto lower_it = first_over - 1;
  while (lower_it->pages_per_second == upper.pages_per_second) --lower_it;
  const SloPoint& lower = *lower_it;
  fit.crossing = SloCrossing::kCrossed;
  fit.lower = lower;
  fit.upper = upper;
  if (!std::isfinite(upper.p99_ms)) {
    // No slope to interpolate along: keep the last rate known to meet the SLO.
    fit.pages_per_second = lower.pages_per_second;
  } else {
    const double t = (slo_ms - lower.p99_ms) / (upper.p99_ms - lower.p99_ms);  // in [0, 1): lower <= slo < upper
    fit.pages_per_second = lower.pages_per_second + t * (upper.pages_per_second - lower.pages_per_second);
  }
  return fit;
}

}  // namespace s3ml::cluster
