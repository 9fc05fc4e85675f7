#include "attest/collateral_options.h"

#include <cstdlib>
#include <utility>

#include "attest/collateral_cache.h"
#include "attest/pccs_client.h"
#include "core/file.h"

namespace s3ml::attest {
namespace {

// Owns the PCCS client the cache points to.
class PccsCollateralSource final : public CollateralSource {
 public:
  PccsCollateralSource(std::unique_ptr<PccsClient> pccs, const std::string& cache_directory, const Clock* clock)
      : pccs_(std::move(pccs)), cache_(cache_directory, pccs_.get(), clock) {}
  // CollateralCache serialises its lookups itself.
  Result<Collateral> CollateralFor(const SgxQuote& quote) override { return cache_.CollateralFor(quote); }

 private:
  std::unique_ptr<PccsClient> pccs_;
  CollateralCache cache_;
};

}  // namespace

std::string DefaultCollateralCacheDirectory() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/s3ml/collateral";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.cache/s3ml/collateral";
}

Result<std::shared_ptr<CollateralSource>> MakeCollateralSource(const CollateralOptions& options, const Clock* clock) {
  if (options.directory.empty() == options.pccs_url.empty()) {
    return InvalidArgument("collateral: give exactly one of a collateral directory (--collateral) or a PCCS URL (--pccs)");
  }
  if (!options.directory.empty()) {
    auto loaded = LoadCollateralDirectory(options.directory);
    if (!loaded.ok()) return loaded.status().WithContext("collateral directory " + options.directory);
    return std::shared_ptr<CollateralSource>(std::make_shared<DirectoryCollateralSource>(options.directory));
  }
  if (clock == nullptr) return InvalidArgument("collateral: a clock is required for the PCCS cache");
  if (!options.pccs_ca_path.empty() && !options.pccs_ca_pem.empty()) {
    return InvalidArgument("collateral: give the PCCS CA as a file or as PEM text, not both");
  }
  PccsClientOptions pccs_options;
  pccs_options.base_url = options.pccs_url;
  pccs_options.ca_pem = options.pccs_ca_pem;
  if (!options.pccs_ca_path.empty()) {
    auto ca = ReadFileText(options.pccs_ca_path, 1 << 20);
    if (!ca.ok()) return ca.status().WithContext("PCCS CA " + options.pccs_ca_path);
    pccs_options.ca_pem = std::move(ca).value();
  }
  auto pccs = PccsClient::Create(pccs_options);
  if (!pccs.ok()) return pccs.status().WithContext("PCCS");
  const std::string cache =
      options.cache_directory.empty() ? DefaultCollateralCacheDirectory() : options.cache_directory;
  return std::shared_ptr<CollateralSource>(std::make_shared<PccsCollateralSource>(std::move(pccs).value(), cache, clock));
}

}  // namespace s3ml::attest
