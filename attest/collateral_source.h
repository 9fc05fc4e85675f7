// CollateralSource: where a verifier gets the DCAP collateral for one quote. The one interface
// every verifier uses (RaTlsVerifier, `s3ml quote verify`, the client, the server and the ECS).
//
// It is keyed by the quote because the quote names both what collateral depends on: the
// platform's FMSPC and the PCK CA (processor or platform) that issued its PCK certificate (both
// read from the PCK certificate in the quote's certification data). Implementations must be safe
// to call from many threads at once: verifiers call them inside concurrent TLS handshakes.
//
// Implementations here: DirectoryCollateralSource (a directory laid out as testdata/sgx/<sample>/,
// read again on each call so refreshed files are picked up) and FixedCollateralSource (one
// already loaded Collateral; tests and one-shot checks). attest/collateral_cache.h adds the PCCS
// cache; attest/collateral_options.h builds the right one from command-line style options.
#ifndef S3ML_ATTEST_COLLATERAL_SOURCE_H_
#define S3ML_ATTEST_COLLATERAL_SOURCE_H_

#include <memory>
#include <string>

#include "attest/collateral.h"
#include "attest/sgx_quote.h"
#include "core/status.h"

namespace s3ml::attest {

class CollateralSource {
 public:
  virtual ~CollateralSource() = default;
  // The collateral needed to verify `quote` (for its FMSPC and PCK CA). Thread-safe.
  virtual Result<Collateral> CollateralFor(const SgxQuote& quote) = 0;
};

class DirectoryCollateralSource final : public CollateralSource {
 public:
  explicit DirectoryCollateralSource(std::string directory) : directory_(std::move(directory)) {}
  // The directory's collateral, whatever the quote (the verifier checks that FMSPCs match).
  // Keeps no state, so it is thread-safe.
  Result<Collateral> CollateralFor(const SgxQuote& quote) override;

 private:
  std::string directory_;
};

// A source that always answers with `collateral`, whatever the quote.
std::shared_ptr<CollateralSource> FixedCollateralSource(Collateral collateral);

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_COLLATERAL_SOURCE_H_
