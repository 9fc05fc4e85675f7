#include "serving/model_repository_scanner.h"

#include <gtest/gtest.h>

#include "tests/serving/repository_fixture.h"

namespace s3ml::serving {
namespace {

namespace fs = std::filesystem;

class ModelRepositoryScannerTest : public testing::RepositoryFixture {
 protected:
  RepositoryScan Scan() {
    Result<RepositoryScan> scan = ScanModelRepository(root_.string());
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    return scan.ok() ? std::move(scan).value() : RepositoryScan{};
  }
  // The reason reported for `path`, or "" when none.
  static std::string ProblemFor(const RepositoryScan& scan, const std::string& path) {
    for (const ScanProblem& problem : scan.problems) {
      if (problem.path == path) return problem.reason;
    }
    return "";
  }
  static std::vector<std::pair<std::string, int64_t>> Keys(const RepositoryScan& scan) {
    std::vector<std::pair<std::string, int64_t>> keys;
    for (const ServableVersion& servable : scan.servables) keys.emplace_back(servable.model, servable.version);
    return keys;
  }
};

TEST_F(ModelRepositoryScannerTest, FindsTheLatestVersionByDefault) {
  AddVersion("mnist", "1");
  AddVersion("mnist", "2");
  AddVersion("mnist", "10");
  AddVersion("resnet", "7");
  RepositoryScan scan = Scan();
  EXPECT_TRUE(scan.problems.empty());
  ASSERT_EQ(Keys(scan), (std::vector<std::pair<std::string, int64_t>>{{"mnist", 10}, {"resnet", 7}}));
  EXPECT_EQ(scan.servables[0].model_path, fs::canonical(root_ / "mnist/10/model.tflite.s3ml").string());
}

TEST_F(ModelRepositoryScannerTest, AppliesVersionPolicies) {
  for (const char* v : {"1", "2", "3"}) AddVersion("latest2", v);
  WriteFile("latest2/config.json", R"({"version_policy":{"latest":2}})");
  for (const char* v : {"1", "2", "3"}) AddVersion("pinned", v);
  WriteFile("pinned/config.json", R"({"version_policy":{"specific":[1,3,4]}})");
  RepositoryScan scan = Scan();
  EXPECT_EQ(Keys(scan), (std::vector<std::pair<std::string, int64_t>>{
                            {"latest2", 2}, {"latest2", 3}, {"pinned", 1}, {"pinned", 3}}));
  EXPECT_NE(ProblemFor(scan, "pinned/4").find("named by version_policy"), std::string::npos);
}

TEST_F(ModelRepositoryScannerTest, CarriesConfigAndEachVersionsLabels) {
  AddVersion("m", "1");
  AddVersion("m", "2");
  WriteFile("m/config.json",
            R"({"labels":"labels.txt.s3ml","version_policy":{"latest":2},)"
            R"("batching":{"max_batch":4,"max_queue_delay_us":500,"max_queue_size":16}})");
  WriteFile("m/1/labels.txt.s3ml", "cat\ndog\n");
  WriteFile("m/2/labels.txt.s3ml", "cat\ndog\nbird\n");
  RepositoryScan scan = Scan();
  EXPECT_TRUE(scan.problems.empty()) << scan.problems[0].path << ": " << scan.problems[0].reason;
  ASSERT_EQ(scan.servables.size(), 2u);
  ASSERT_TRUE(scan.servables[0].config.batching.has_value());
  EXPECT_EQ(scan.servables[0].config.batching->max_batch_size, 4u);
  EXPECT_EQ(scan.servables[0].labels_path, fs::canonical(root_ / "m/1/labels.txt.s3ml").string());
  EXPECT_EQ(scan.servables[1].labels_path, fs::canonical(root_ / "m/2/labels.txt.s3ml").string());
  EXPECT_EQ(scan.servables[1].labels_stamp.size, 13u);
  EXPECT_EQ(scan.servables[1].model_stamp.size, std::string("ciphertext").size());
}

// A file replaced in place is a different version to load, even under the same path.
TEST_F(ModelRepositoryScannerTest, AFileChangedInPlaceChangesItsVersion) {
  AddVersion("m", "1");
  WriteFile("m/config.json", R"({"labels":"labels.txt.s3ml"})");
  WriteFile("m/1/labels.txt.s3ml", "cat\n");
  const RepositoryScan before = Scan();
  ASSERT_EQ(before.servables.size(), 1u);
  EXPECT_EQ(Scan().servables, before.servables);
  WriteFile("m/1/labels.txt.s3ml", "cat\ndog\n");
  const RepositoryScan relabelled = Scan();
  ASSERT_EQ(relabelled.servables.size(), 1u);
  EXPECT_NE(relabelled.servables[0], before.servables[0]);
  WriteFile("m/1/model.tflite.s3ml", "other ciphertext");
  EXPECT_NE(Scan().servables[0], relabelled.servables[0]);
}

TEST_F(ModelRepositoryScannerTest, SkipsAndReportsBadEntries) {
  AddVersion("good", "1");
  AddVersion("good", "v2");        // not a number
  AddVersion("good", "03");        // not canonical
  AddVersion("good", "-1");        // not a number
  fs::create_directories(root_ / "good/5");  // no model file
  fs::create_directories(root_ / "good/6/model.tflite.s3ml");  // a directory, not a file
  WriteFile("good/7", "not a directory");
  AddVersion("bad config", "1");   // unsafe name
  AddVersion(".hidden", "1");
  AddVersion("broken", "1");
  WriteFile("broken/config.json", "{\"batching\": 3");
  AddVersion("typo", "1");
  WriteFile("typo/config.json", R"({"version_polcy":{"latest":1}})");
  AddVersion("nolabels", "1");
  WriteFile("nolabels/config.json", R"({"labels":"labels.txt"})");
  WriteFile("stray_file", "x");

  RepositoryScan scan = Scan();
  EXPECT_EQ(Keys(scan), (std::vector<std::pair<std::string, int64_t>>{{"good", 1}}));
  EXPECT_EQ(ProblemFor(scan, "good/v2"), "is not a version number");
  EXPECT_EQ(ProblemFor(scan, "good/03"), "is not a version number");
  EXPECT_EQ(ProblemFor(scan, "good/-1"), "is not a version number");
  EXPECT_EQ(ProblemFor(scan, "good/5/model.tflite.s3ml"), "does not exist or cannot be resolved");
  EXPECT_EQ(ProblemFor(scan, "good/6/model.tflite.s3ml"), "is not a regular file");
  EXPECT_EQ(ProblemFor(scan, "good/7"), "is not a directory");
  EXPECT_EQ(ProblemFor(scan, "bad config"), "is not a plain model name");
  EXPECT_EQ(ProblemFor(scan, ".hidden"), "is not a plain model name");
  EXPECT_NE(ProblemFor(scan, "broken/config.json").find("malformed JSON"), std::string::npos);
  EXPECT_NE(ProblemFor(scan, "typo/config.json").find("unknown key \"version_polcy\""), std::string::npos);
  EXPECT_NE(ProblemFor(scan, "nolabels/1/labels.txt").find("labels file"), std::string::npos);
  EXPECT_EQ(ProblemFor(scan, "stray_file"), "is not a directory");
}

TEST_F(ModelRepositoryScannerTest, RefusesSymlinksLeavingTheRoot) {
  // Outside the root: a model directory, a model file and a config.
  fs::create_directories(base_ / "outside/1");
  { std::ofstream(base_ / "outside/1/model.tflite.s3ml") << "x"; }
  { std::ofstream(base_ / "outside_config.json") << "{}"; }
  fs::create_directory_symlink(base_ / "outside", root_ / "escaped");
  AddVersion("m", "1");
  fs::create_directories(root_ / "m/2");
  fs::create_symlink(base_ / "outside/1/model.tflite.s3ml", root_ / "m/2/model.tflite.s3ml");
  fs::create_directory_symlink("../../outside/1", root_ / "m/3");
  AddVersion("c", "1");
  fs::create_symlink(base_ / "outside_config.json", root_ / "c/config.json");
  // A symlink that stays inside the root is fine.
  fs::create_directory_symlink(root_ / "m/1", root_ / "m/4");

  RepositoryScan scan = Scan();
  EXPECT_EQ(ProblemFor(scan, "escaped"), "resolves outside the repository root");
  EXPECT_EQ(ProblemFor(scan, "m/2/model.tflite.s3ml"), "resolves outside the repository root");
  EXPECT_EQ(ProblemFor(scan, "m/3"), "resolves outside the repository root");
  EXPECT_EQ(ProblemFor(scan, "c/config.json"), "resolves outside the repository root");
  ASSERT_EQ(Keys(scan), (std::vector<std::pair<std::string, int64_t>>{{"m", 4}}));
  EXPECT_EQ(scan.servables[0].model_path, fs::canonical(root_ / "m/1/model.tflite.s3ml").string());
}

TEST_F(ModelRepositoryScannerTest, RefusesAMissingRootAndOversizedConfigs) {
  Result<RepositoryScan> missing = ScanModelRepository((base_ / "nope").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  WriteFile("plain", "x");
  EXPECT_FALSE(ScanModelRepository((root_ / "plain").string()).ok());

  AddVersion("big", "1");
  WriteFile("big/config.json", "{\"inputs\":[\"" + std::string(kMaxModelConfigBytes, 'a') + "\"]}");
  RepositoryScan scan = Scan();
  EXPECT_TRUE(scan.servables.empty());
  EXPECT_FALSE(ProblemFor(scan, "big/config.json").empty());
}

TEST_F(ModelRepositoryScannerTest, UnchangedRepositoriesScanEqual) {
  AddVersion("a", "1");
  AddVersion("b", "2");
  RepositoryScan first = Scan(), second = Scan();
  EXPECT_EQ(first.servables, second.servables);
}

}  // namespace
}  // namespace s3ml::serving
