#include "sgx_samples.h"

#include <cstdlib>

#include "core/file.h"
#include "core/time_format.h"

namespace s3ml::attest::testing {

std::string SgxDir(const std::string& name) { return std::string(S3ML_TESTDATA_DIR) + "/sgx/" + name; }

std::vector<std::string> SampleNames() { return {"dcap-qvl", "automata", "occlum-debug"}; }

SgxSample LoadSample(const std::string& name) {
  SgxSample s;
  s.name = name;
  if (name == "dcap-qvl") {
    s.window_start = ParseRfc3339("2025-06-19T10:56:11Z").value();
    s.window_end = ParseRfc3339("2025-07-19T10:01:18Z").value();
  } else {
    s.window_start = ParseRfc3339("2025-02-13T03:40:28Z").value();
    s.window_end = ParseRfc3339("2025-03-15T03:29:42Z").value();
  }
  s.inside = (s.window_start + s.window_end) / 2;
  auto quote = ReadFileBytes(SgxDir(name) + "/quote.bin");
  auto files = ReadCollateralFiles(SgxDir(name));
  if (!quote.ok() || !files.ok()) std::abort();  // missing test data: nothing can be tested
  s.quote = std::move(quote).value();
  s.files = std::move(files).value();
  return s;
}

Result<VerifiedQuote> Verify(const std::vector<uint8_t>& quote, const CollateralFiles& files, int64_t unix_time) {
  S3ML_ASSIGN_OR_RETURN(Collateral collateral, ParseCollateral(files));
  return VerifyDcapQuote(quote, collateral, TrustAnchors::IntelOnly(), unix_time);
}

}  // namespace s3ml::attest::testing
