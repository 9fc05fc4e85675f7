#include "attest/collateral_source.h"

#include <utility>

namespace s3ml::attest {
namespace {

class FixedSource final : public CollateralSource {
 public:
  explicit FixedSource(Collateral collateral) : collateral_(std::move(collateral)) {}
  // Only copies a const member: thread-safe.
  Result<Collateral> CollateralFor(const SgxQuote& /*quote*/) override { return collateral_; }

 private:
  const Collateral collateral_;
};

}  // namespace

Result<Collateral> DirectoryCollateralSource::CollateralFor(const SgxQuote& /*quote*/) {
  auto collateral = LoadCollateralDirectory(directory_);
  if (!collateral.ok()) return collateral.status().WithContext("collateral directory " + directory_);
  return collateral;
}

std::shared_ptr<CollateralSource> FixedCollateralSource(Collateral collateral) {
  return std::make_shared<FixedSource>(std::move(collateral));
}

}  // namespace s3ml::attest
