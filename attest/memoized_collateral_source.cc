#include "attest/memoized_collateral_source.h"

#include <utility>

#include "attest/collateral_cache.h"
#include "attest/pccs_client.h"
#include "core/hex.h"

namespace s3ml::attest {

MemoizedCollateralSource::MemoizedCollateralSource(std::shared_ptr<CollateralSource> inner, const Clock* clock)
    : inner_(std::move(inner)), clock_(clock) {}

MemoizedCollateralStats MemoizedCollateralSource::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

Result<Collateral> MemoizedCollateralSource::CollateralFor(const SgxQuote& quote) {
  auto key = CollateralKeyOf(quote);
  if (!key.ok()) {
    // Nothing to key on; the inner source decides (a directory answers whatever the quote).
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.fetches;
    }
    return inner_->CollateralFor(quote);
  }
  const std::string id = HexEncode(key->fmspc) + "-" + std::string(PckCaTypeName(key->ca));

  std::shared_ptr<const Collateral> found;
  {
    // Held across the inner call: concurrent first uses of a key make one fetch, not many.
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = clock_->NowUnixSeconds();
    auto it = entries_.find(id);
    if (it != entries_.end() && now <= it->second.valid_until) {
      ++stats_.hits;
      found = it->second.collateral;
    } else {
      ++stats_.fetches;
      if (it != entries_.end()) entries_.erase(it);
      S3ML_ASSIGN_OR_RETURN(Collateral fresh, inner_->CollateralFor(quote));
      S3ML_ASSIGN_OR_RETURN(int64_t next_update, EarliestNextUpdate(fresh));
      if (now > next_update) return fresh;  // already expired: the verifier says which item
      found = std::make_shared<const Collateral>(std::move(fresh));
      entries_.insert_or_assign(id, Entry{found, next_update});
    }
  }
  // Certificates and CRLs are reference-counted, so the copy is cheap; made outside the lock.
  return Collateral(*found);
}

}  // namespace s3ml::attest
