#include "client/model_key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "core/file.h"
#include "tests/client/temp_dir.h"

namespace s3ml::client {
namespace {

using testing::ScratchDir;

void Write(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path, std::ios::trunc | std::ios::binary) << text;
  ::chmod(path.c_str(), mode);
}

TEST(ModelKeyFileTest, WritesHexWith0600AndReadsItBack) {
  ScratchDir tmp;
  auto key = GenerateModelKey();
  ASSERT_TRUE(key.ok());
  ASSERT_EQ(key->size(), 32u);
  const std::string path = tmp.Sub("model.key");
  ASSERT_TRUE(WriteNewModelKeyFile(path, *key).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(ReadFileText(path)->size(), 65u);
  auto read = ReadModelKeyFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE(read->Equals(key->span()));
  EXPECT_EQ(WriteNewModelKeyFile(path, *key).code(), StatusCode::kAlreadyExists);
}

TEST(ModelKeyFileTest, AcceptsRawBytesAndUpperCaseHex) {
  ScratchDir tmp;
  Write(tmp.Sub("raw"), std::string(32, '\x07'));
  auto raw = ReadModelKeyFile(tmp.Sub("raw"));
  ASSERT_TRUE(raw.ok());
  EXPECT_TRUE(raw->Equals(std::vector<uint8_t>(32, 7)));
  Write(tmp.Sub("hex"), "  " + std::string(64, 'A') + "\r\n");
  auto hex = ReadModelKeyFile(tmp.Sub("hex"));
  ASSERT_TRUE(hex.ok());
  EXPECT_TRUE(hex->Equals(std::vector<uint8_t>(32, 0xaa)));
}

TEST(ModelKeyFileTest, RefusesBadFiles) {
  ScratchDir tmp;
  Write(tmp.Sub("short"), std::string(62, 'a'));
  Write(tmp.Sub("nothex"), std::string(63, 'a') + "g");
  Write(tmp.Sub("big"), std::string(1000, 'a'));
  for (const char* name : {"short", "nothex", "big"}) {
    EXPECT_EQ(ReadModelKeyFile(tmp.Sub(name)).status().code(), StatusCode::kInvalidArgument) << name;
  }
  Write(tmp.Sub("open"), std::string(64, 'a'), 0644);
  EXPECT_EQ(ReadModelKeyFile(tmp.Sub("open")).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ReadModelKeyFile(tmp.Sub("missing")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(WriteNewModelKeyFile(tmp.Sub("k"), crypto::SecretBytes(16)).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace s3ml::client
