// A scratch model repository under the test binary's directory, removed afterwards.
#ifndef S3ML_TESTS_SERVING_REPOSITORY_FIXTURE_H_
#define S3ML_TESTS_SERVING_REPOSITORY_FIXTURE_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace s3ml::serving::testing {

class RepositoryFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    base_ = std::filesystem::path(S3ML_BINARY_DIR) / "tmp" /
            ("serving_" + std::string(info->name()) + "_" + std::to_string(getpid()));
    std::filesystem::remove_all(base_);
    root_ = base_ / "repo";
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  void WriteFile(const std::string& relative, const std::string& contents) {
    const std::filesystem::path path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << contents;
  }
  void AddVersion(const std::string& model, const std::string& version) {
    WriteFile(model + "/" + version + "/model.tflite.s3ml", "ciphertext");
  }

  std::filesystem::path base_;  // holds root_ and things outside it
  std::filesystem::path root_;
};

}  // namespace s3ml::serving::testing

#endif  // S3ML_TESTS_SERVING_REPOSITORY_FIXTURE_H_
