// Benchmarks of SGX quote handling. Floor (issue 3): a full verification with collateral already
// loaded and parsed must take under 2 ms (median). Each benchmark repeats and reports the median.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "attest/collateral.h"
#include "attest/dcap_verifier.h"
#include "attest/sgx_quote.h"
#include "core/file.h"
#include "core/time_format.h"

namespace {

using namespace s3ml;

struct Sample {
  std::vector<uint8_t> quote;
  attest::Collateral collateral;
  int64_t at;
};

Sample Load(const std::string& name, const char* at) {
  const std::string dir = std::string(S3ML_TESTDATA_DIR) + "/sgx/" + name;
  auto quote = ReadFileBytes(dir + "/quote.bin");
  auto collateral = attest::LoadCollateralDirectory(dir);
  if (!quote.ok() || !collateral.ok()) {
    std::fprintf(stderr, "cannot load %s\n", dir.c_str());
    std::exit(1);
  }
  return Sample{std::move(quote).value(), std::move(collateral).value(), ParseRfc3339(at).value()};
}

const Sample& DcapQvl() {
  static const Sample s = Load("dcap-qvl", "2025-07-01T00:00:00Z");
  return s;
}

const Sample& Automata() {
  static const Sample s = Load("automata", "2025-03-01T00:00:00Z");
  return s;
}

void VerifyLoop(benchmark::State& state, const Sample& s) {
  const auto anchors = attest::TrustAnchors::IntelOnly();
  for (auto _ : state) {
    auto v = attest::VerifyDcapQuote(s.quote, s.collateral, anchors, s.at);
    if (!v.ok()) {
      state.SkipWithError(v.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(v);
  }
}

void BM_VerifyQuote_DcapQvl(benchmark::State& state) { VerifyLoop(state, DcapQvl()); }
void BM_VerifyQuote_Automata(benchmark::State& state) { VerifyLoop(state, Automata()); }

void BM_ParseQuote(benchmark::State& state) {
  const auto& quote = DcapQvl().quote;
  for (auto _ : state) {
    auto q = attest::ParseSgxQuote(quote);
    if (!q.ok()) {
      state.SkipWithError(q.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(q);
  }
}

// For reference: loading + parsing collateral, which a server does once per nextUpdate.
void BM_LoadCollateral(benchmark::State& state) {
  const std::string dir = std::string(S3ML_TESTDATA_DIR) + "/sgx/dcap-qvl";
  for (auto _ : state) {
    auto c = attest::LoadCollateralDirectory(dir);
    benchmark::DoNotOptimize(c);
  }
}

BENCHMARK(BM_VerifyQuote_DcapQvl)->Unit(benchmark::kMicrosecond)->Repetitions(9)->ReportAggregatesOnly(true);
BENCHMARK(BM_VerifyQuote_Automata)->Unit(benchmark::kMicrosecond)->Repetitions(9)->ReportAggregatesOnly(true);
BENCHMARK(BM_ParseQuote)->Unit(benchmark::kMicrosecond)->Repetitions(9)->ReportAggregatesOnly(true);
BENCHMARK(BM_LoadCollateral)->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();
