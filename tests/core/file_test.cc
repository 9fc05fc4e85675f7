#include "core/file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

namespace s3ml {
namespace {

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("s3ml_file_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(FileTest, AtomicWriteReplacesContentsAndLeavesNoTemporaries) {
  const std::string path = (dir_ / "state").string();
  const std::vector<uint8_t> first = {1, 2, 3};
  const std::vector<uint8_t> second = {9, 8};
  ASSERT_TRUE(WriteFileAtomic(path, first).ok());
  ASSERT_TRUE(WriteFileAtomic(path, second).ok());
  auto read = ReadFileBytes(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, second);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), std::filesystem::directory_iterator()), 1);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(FileTest, ReadRefusesMissingOversizedAndNonRegularFiles) {
  EXPECT_EQ(ReadFileBytes((dir_ / "missing").string()).status().code(), StatusCode::kNotFound);
  const std::string path = (dir_ / "big").string();
  ASSERT_TRUE(WriteFileAtomic(path, std::vector<uint8_t>(100, 7)).ok());
  EXPECT_EQ(ReadFileBytes(path, 99).status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(ReadFileBytes(path, 100).ok());
  EXPECT_EQ(ReadFileBytes(dir_.string()).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FileTest, AtomicWriteIntoMissingDirectoryFails) {
  EXPECT_FALSE(WriteFileAtomic((dir_ / "no" / "such" / "file").string(), std::vector<uint8_t>{1}).ok());
}

}  // namespace
}  // namespace s3ml
