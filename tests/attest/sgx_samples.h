// The three real SGX DCAP samples of testdata/sgx (see its README.md) with their validity windows,
// loaded raw so that tests can tamper with any byte before parsing.
#ifndef S3ML_TESTS_ATTEST_SGX_SAMPLES_H_
#define S3ML_TESTS_ATTEST_SGX_SAMPLES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "attest/collateral.h"
#include "attest/dcap_verifier.h"

namespace s3ml::attest::testing {

struct SgxSample {
  std::string name;           // folder under testdata/sgx
  int64_t window_start = 0;   // first second at which all collateral is valid
  int64_t window_end = 0;     // last such second
  int64_t inside = 0;         // a time inside the window
  std::vector<uint8_t> quote;
  CollateralFiles files;
};

std::string SgxDir(const std::string& name);
SgxSample LoadSample(const std::string& name);
std::vector<std::string> SampleNames();

// Parses files and verifies the quote against Intel's root at unix_time.
Result<VerifiedQuote> Verify(const std::vector<uint8_t>& quote, const CollateralFiles& files, int64_t unix_time);

}  // namespace s3ml::attest::testing

#endif  // S3ML_TESTS_ATTEST_SGX_SAMPLES_H_
