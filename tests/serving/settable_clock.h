// A Clock a test moves forward while other threads (renewer, TLS verification) read it.
#ifndef S3ML_TESTS_SERVING_SETTABLE_CLOCK_H_
#define S3ML_TESTS_SERVING_SETTABLE_CLOCK_H_

#include <atomic>
#include <cstdint>

#include "core/clock.h"

namespace s3ml::serving::testing {

class SettableClock final : public Clock {
 public:
  explicit SettableClock(int64_t now) : now_(now) {}
  int64_t NowUnixSeconds() const override { return now_.load(); }
  void Set(int64_t now) { now_.store(now); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace s3ml::serving::testing

#endif  // S3ML_TESTS_SERVING_SETTABLE_CLOCK_H_
