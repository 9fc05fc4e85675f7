#include "serving/certificate_renewer.h"

#include <algorithm>

#include "core/log.h"

namespace s3ml::serving {

CertificateRenewer::CertificateRenewer(const Clock* clock, int64_t renew_after, Renew renew, RenewerOptions options)
    : clock_(clock), renew_(std::move(renew)), options_(options), renew_after_(renew_after), thread_([this] { Run(); }) {}

CertificateRenewer::~CertificateRenewer() { Stop(); }

void CertificateRenewer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t CertificateRenewer::renewals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return renewals_;
}

uint64_t CertificateRenewer::failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

void CertificateRenewer::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    const int64_t now = clock_->NowUnixSeconds();
    if (now < renew_after_) {
      const auto wait = std::min<std::chrono::milliseconds>(std::chrono::seconds(renew_after_ - now), options_.max_wait);
      cv_.wait_for(lock, wait, [this] { return stopping_; });
      continue;
    }
    lock.unlock();
    Result<int64_t> next = renew_();
    lock.lock();
    if (next.ok()) {
      ++renewals_;
      renew_after_ = next.value();
      Log(LogLevel::kInfo, "renewal", "service certificate renewed; next renewal at " + std::to_string(renew_after_));
      // An ECS whose renew_after is already past (clock skew) must not be asked in a tight loop.
      if (renew_after_ <= clock_->NowUnixSeconds()) cv_.wait_for(lock, options_.retry_delay, [this] { return stopping_; });
    } else {
      ++failures_;
      Log(LogLevel::kWarning, "renewal", "renewal failed, retrying: " + next.status().ToString());
      cv_.wait_for(lock, options_.retry_delay, [this] { return stopping_; });
    }
  }
}

}  // namespace s3ml::serving
