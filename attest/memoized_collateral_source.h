// MemoizedCollateralSource: keeps parsed collateral in memory in front of any CollateralSource.
//
// Parsing collateral (JSON, certificate chains, CRLs) and, for a PCCS, reading the disk cache
// costs far more than a handshake should; a service that verifies many quotes from the same
// platforms (the ECS) asks the inner source once per (FMSPC, PCK CA type) and then answers from
// memory until attest::EarliestNextUpdate of that collateral has passed (by `clock`). After that
// the inner source is asked again (a directory is re-read, a PCCS cache refreshes); if it fails,
// its error is returned and nothing stale is served. Collateral whose nextUpdate has already
// passed is returned but not kept, so the verifier reports it as expired and the next call asks
// again. Quotes whose key cannot be read (no PCK certificate) go straight to the inner source.
// Thread-safe: calls for the same key while the inner source is being asked wait for its answer.
#ifndef S3ML_ATTEST_MEMOIZED_COLLATERAL_SOURCE_H_
#define S3ML_ATTEST_MEMOIZED_COLLATERAL_SOURCE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "attest/collateral.h"
#include "attest/collateral_source.h"
#include "attest/sgx_quote.h"
#include "core/clock.h"
#include "core/status.h"

namespace s3ml::attest {

struct MemoizedCollateralStats {
  uint64_t hits = 0;     // answered from memory
  uint64_t fetches = 0;  // asked the inner source (first use, expired, or key unreadable)
};

class MemoizedCollateralSource final : public CollateralSource {
 public:
  // `clock` must outlive the source; `inner` must not be null.
  MemoizedCollateralSource(std::shared_ptr<CollateralSource> inner, const Clock* clock);

  Result<Collateral> CollateralFor(const SgxQuote& quote) override;

  MemoizedCollateralStats stats() const;

 private:
  struct Entry {
    std::shared_ptr<const Collateral> collateral;
    int64_t valid_until = 0;  // EarliestNextUpdate
  };

  std::shared_ptr<CollateralSource> inner_;
  const Clock* clock_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;  // by "<fmspc hex>-<processor|platform>"
  MemoizedCollateralStats stats_;
};

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_MEMOIZED_COLLATERAL_SOURCE_H_
