// CertificateRenewer: re-provisions before the service certificate expires.
//
// A thread waits until the clock reaches `renew_after` (docs/protocol.md: 2/3 of the lifetime),
// then calls `renew`, which provisions again, swaps the inference port's TLS context (new
// connections get the new certificate, open ones keep theirs: no connection is dropped) and
// returns the next renew_after. A failed renewal is logged and retried after `retry_delay`
// (never later than the moment it is due again). The clock is a parameter; waits are in real
// time, re-checked at least every `max_wait` so a clock that jumps is noticed.
#ifndef S3ML_SERVING_CERTIFICATE_RENEWER_H_
#define S3ML_SERVING_CERTIFICATE_RENEWER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "core/status.h"

namespace s3ml::serving {

struct RenewerOptions {
  std::chrono::milliseconds retry_delay{30'000};
  std::chrono::milliseconds max_wait{60'000};
};

class CertificateRenewer {
 public:
  using Renew = std::function<Result<int64_t>()>;  // provisions; returns the next renew_after

  // `clock` must outlive the renewer.
  CertificateRenewer(const Clock* clock, int64_t renew_after, Renew renew, RenewerOptions options = {});
  ~CertificateRenewer();
  CertificateRenewer(const CertificateRenewer&) = delete;
  CertificateRenewer& operator=(const CertificateRenewer&) = delete;

  void Stop();
  uint64_t renewals() const;  // successful ones
  uint64_t failures() const;

 private:
  void Run();

  const Clock* const clock_;
  const Renew renew_;
  const RenewerOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int64_t renew_after_;
  bool stopping_ = false;
  uint64_t renewals_ = 0;
  uint64_t failures_ = 0;
  std::thread thread_;
};

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_CERTIFICATE_RENEWER_H_
