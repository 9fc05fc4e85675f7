// Smoke runs of the cluster benchmarks (`s3ml bench slo`, `s3ml bench epc-slo`) on tiny settings:
// they start real clusters, drive load, and must write their tables, CSV files and plots. The
// figures themselves are the benchmarks' business (README); here only that a run completes, its
// outputs are well-formed and its flags are checked.
#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "core/file.h"
#include "tests/e2e/e2e_cluster.h"

namespace s3ml::e2e {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/s3ml-e2e-bench-XXXXXX";
    path_ = ::mkdtemp(pattern) != nullptr ? pattern : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadOrEmpty(const std::string& path) {
  auto text = ReadFileText(path, 4 << 20);
  return text.ok() ? *text : std::string();
}

bool IsPng(const std::string& path) {
  return ReadOrEmpty(path).rfind("\x89PNG\r\n\x1a\n", 0) == 0;
}

TEST(BenchE2eTest, SloExperimentRunsAModeAndWritesItsReport) {
  const std::string missing = MissingPrerequisite();
  ASSERT_EQ(missing, "") << "not built or not installed: " << missing;
  TempDir out;
  ASSERT_FALSE(out.path().empty());
  CommandResult r = RunCommand({BinDir() + "/s3ml", "bench", "slo", "--modes", "b", "--hosts", "2", "--max-servers",
                                "2", "--phase-seconds", "5", "--rate", "4", "--peak-rate", "6", "--noise-enclaves", "1",
                                "--out", out.path()},
                               240);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("(b) EPC-aware weights"), std::string::npos) << r.output;
  const std::string summary = ReadOrEmpty(out.path() + "/slo_summary.csv");
  EXPECT_EQ(summary.rfind("mode,requests,errors,within_slo,", 0), 0u) << summary;
  EXPECT_NE(summary.find("\nb,"), std::string::npos) << summary;
  const std::string timeline = ReadOrEmpty(out.path() + "/slo_timeline.csv");
  EXPECT_EQ(timeline.rfind("mode,second,requests,", 0), 0u) << timeline;
  EXPECT_NE(timeline.find("\nb,14,"), std::string::npos) << "15 seconds expected:\n" << timeline;
  EXPECT_TRUE(IsPng(out.path() + "/slo_p99.png")) << r.output;
  EXPECT_TRUE(IsPng(out.path() + "/slo_servers.png")) << r.output;
}

TEST(BenchE2eTest, EpcSloAnalysisMeasuresTwoLevelsAndFitsAThreshold) {
  const std::string missing = MissingPrerequisite();
  ASSERT_EQ(missing, "") << "not built or not installed: " << missing;
  TempDir out;
  ASSERT_FALSE(out.path().empty());
  CommandResult r = RunCommand({BinDir() + "/s3ml", "bench", "epc-slo", "--models", "mobilenet_v1_0.25_128_quant",
                                "--noise-mib", "0", "0.75", "--seconds", "3", "--warmup", "1", "--rate", "10",
                                "--out", out.path()},
                               240);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string csv = ReadOrEmpty(out.path() + "/epc-slo.csv");
  // Header and one row per noise level.
  size_t lines = 0;
  for (char ch : csv) lines += ch == '\n';
  EXPECT_EQ(lines, 3u) << csv;
  EXPECT_NE(csv.find("mobilenet_v1_0.25_128_quant"), std::string::npos) << csv;
  const std::string thresholds = ReadOrEmpty(out.path() + "/epc-slo-thresholds.csv");
  EXPECT_NE(thresholds.find("mobilenet_v1_0.25_128_quant"), std::string::npos) << thresholds;
  EXPECT_TRUE(IsPng(out.path() + "/epc-slo.png")) << r.output;
}

TEST(BenchE2eTest, SloExperimentChecksItsFlags) {
  for (const std::vector<std::string>& flags : std::vector<std::vector<std::string>>{
           {"--modes", "xyz"}, {"--phase-seconds", "1"}, {"--hosts", "1"}, {"--hosts", "3", "--max-servers", "2"},
           {"--rate", "0"}, {"--noise-enclaves", "0"}}) {
    std::vector<std::string> argv = {BinDir() + "/s3ml", "bench", "slo"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    CommandResult r = RunCommand(argv, 30);
    EXPECT_EQ(r.exit_code, 2) << flags[0] << ": " << r.output;
  }
}

}  // namespace
}  // namespace s3ml::e2e
