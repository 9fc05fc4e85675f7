// Clock: the one source of "now" for every time-dependent check (certificate and collateral
// validity, expiry, renewal). Tests and `--at` options pass a FixedClock; nothing calls time().
#ifndef S3ML_CORE_CLOCK_H_
#define S3ML_CORE_CLOCK_H_

#include <cstdint>

namespace s3ml {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch (UTC).
  virtual int64_t NowUnixSeconds() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowUnixSeconds() const override;
  static const SystemClock& Get();
};

class FixedClock final : public Clock {
 public:
  explicit FixedClock(int64_t unix_seconds) : now_(unix_seconds) {}
  int64_t NowUnixSeconds() const override { return now_; }
  void Set(int64_t unix_seconds) { now_ = unix_seconds; }

 private:
  int64_t now_;
};

// Monotonic nanoseconds for measuring durations (never for validity checks).
uint64_t MonotonicNanos();

}  // namespace s3ml

#endif  // S3ML_CORE_CLOCK_H_
