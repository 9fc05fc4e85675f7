// Collateral from command-line style options: the one factory behind `--collateral DIR` and
// `--pccs URL [--pccs-ca PEM] [--collateral-cache DIR]` in `s3ml quote verify`, the client
// (`s3ml attest`, `s3ml model push`, ...), `s3ml-server` and `s3ml-ecs`.
//
// Exactly one of `directory` / `pccs_url`:
//  - directory: a DirectoryCollateralSource; the directory is loaded once here so that a wrong path
//    fails at start, and read again on every call so refreshed files are picked up.
//  - pccs_url: a CollateralCache (collateral_cache.h) over a PccsClient, keyed by the quote's FMSPC
//    and PCK CA type, cached in `cache_directory` (default DefaultCollateralCacheDirectory()).
//    The PCCS's TLS certificate is checked against `pccs_ca_pem`, or the file `pccs_ca_path`
//    (at most one of the two), or the system trust store.
// The result is thread-safe and owns everything it uses except the clock.
#ifndef S3ML_ATTEST_COLLATERAL_OPTIONS_H_
#define S3ML_ATTEST_COLLATERAL_OPTIONS_H_

#include <memory>
#include <string>

#include "attest/collateral_source.h"
#include "core/clock.h"
#include "core/status.h"

namespace s3ml::attest {

struct CollateralOptions {
  std::string directory;        // --collateral DIR
  std::string pccs_url;         // --pccs URL
  std::string pccs_ca_path;     // --pccs-ca PEM (a file)
  std::string pccs_ca_pem;      // or the PEM text itself
  std::string cache_directory;  // --collateral-cache DIR
};

// $XDG_CACHE_HOME/s3ml/collateral if XDG_CACHE_HOME is absolute, else ~/.cache/s3ml/collateral.
std::string DefaultCollateralCacheDirectory();

// InvalidArgument unless exactly one of directory / pccs_url is set (or both CA forms are set);
// the directory's load error; errors of the PCCS client (bad URL, unreadable CA). `clock` is
// required for a PCCS and must outlive the source.
Result<std::shared_ptr<CollateralSource>> MakeCollateralSource(const CollateralOptions& options, const Clock* clock);

}  // namespace s3ml::attest

#endif  // S3ML_ATTEST_COLLATERAL_OPTIONS_H_
