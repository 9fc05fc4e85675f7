// CollateralCache: a CollateralSource (attest/collateral_source.h) backed by a PCCS.
//
// CollateralCache fetches from a PCCS and keeps the responses on disk, one subdirectory per
// FMSPC and PCK CA type ("<fmspc hex>-processor", "<fmspc hex>-platform") holding the files of
// testdata/sgx (each written atomically). It serves a cached entry while the clock is before the
// earliest nextUpdate of its four items (TCB Info, QE Identity, PCK CRL, root CA CRL) and refetches
// after. An entry that cannot be read or parsed, or whose TCB Info names another FMSPC, is
// refetched and overwritten, never served: signatures are checked later by dcap_verifier, but a
// damaged file must not wedge the cache. If the refetch fails, the fetch error is returned
// (stale collateral is not served: the verifier would refuse it anyway).
#ifndef S3ML_ATTEST_COLLATERAL_CACHE_H_
#define S3ML_ATTEST_COLLATERAL_CACHE_H_

#include <cstdint>
#include <mutex>
#include <string>

#include "attest/collateral.h"
#include "attest/collateral_source.h"
#include "attest/pccs_client.h"
#include "attest/sgx_quote.h"
#include "core/clock.h"
#include "core/status.h"

namespace s3ml::attest {

// The earliest nextUpdate among TCB Info, QE Identity and both CRLs. InvalidArgument if a CRL
// has no nextUpdate.
Result<int64_t> EarliestNextUpdate(const Collateral& collateral);

struct CollateralCacheStats {
  uint64_t hits = 0;       // served from disk
  uint64_t fetches = 0;    // fetched from the PCCS (missing, expired or unusable entry)
  uint64_t discarded = 0;  // entries that were present but unreadable or inconsistent
};

class CollateralCache final : public CollateralSource {
 public:
  // `pccs` and `clock` must outlive the cache. The directory is created on first write (0700).
  CollateralCache(std::string directory, PccsClient* pccs, const Clock* clock);

  Result<Collateral> Get(const CollateralKey& key);
  Result<Collateral> CollateralFor(const SgxQuote& quote) override;

  // The entry directory for `key`: "<directory>/<fmspc hex>-<processor|platform>".
  std::string EntryDirectory(const CollateralKey& key) const;
  CollateralCacheStats stats() const;

 private:
  // The cached entry if usable and current; NotFound / DataLoss / OutOfRange say why not.
  Result<Collateral> ReadCurrentEntry(const CollateralKey& key, int64_t now);
  Status WriteEntry(const CollateralKey& key, const CollateralFiles& files);

  std::string directory_;
  PccsClient* pccs_;
  const Clock* clock_;
  // Serialises lookups so that concurrent callers of one key trigger one fetch.
  mutable std::mutex mutex_;
  CollateralCacheStats stats_;  // guarded by mutex_
};

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_COLLATERAL_CACHE_H_
