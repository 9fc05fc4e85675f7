#include "client/repository_labels.h"

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "client/encrypted_model.h"
#include "core/byte_reader.h"
#include "core/file.h"
#include "tests/client/temp_dir.h"

namespace s3ml::client {
namespace {

const std::vector<uint8_t> kKey(kModelKeySize, 7);

TEST(RepositoryLabelsTest, SealsTheVersionsLabelsAndNamesThemInTheConfig) {
  testing::ScratchDir dir;
  const std::string model_dir = dir.path() + "/m";
  ASSERT_TRUE(WriteSealedLabels(kKey, "m", 4, AsBytes("cat\ndog\n"), model_dir).ok());
  auto sealed = ReadFileBytes(model_dir + "/4/labels.txt.s3ml");
  ASSERT_TRUE(sealed.ok());
  auto opened = DecryptLabels(kKey, "m", 4, *sealed);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "cat\ndog\n");
  EXPECT_EQ(nlohmann::json::parse(ReadFileText(model_dir + "/config.json").value()),
            nlohmann::json::parse(R"({"labels": "labels.txt.s3ml"})"));
}

TEST(RepositoryLabelsTest, AConfigThatIsNotAnObjectIsRefusedBeforeAnythingIsWritten) {
  testing::ScratchDir dir;
  const std::string model_dir = dir.path() + "/m";
  std::filesystem::create_directories(model_dir);
  for (const char* config : {"[1, 2]", "{\"labels\": ", "\"labels\""}) {
    ASSERT_TRUE(WriteFileAtomic(model_dir + "/config.json", AsBytes(config)).ok());
    Status written = WriteSealedLabels(kKey, "m", 1, AsBytes("cat\n"), model_dir);
    EXPECT_EQ(written.code(), StatusCode::kInvalidArgument) << config;
    EXPECT_FALSE(std::filesystem::exists(model_dir + "/1/labels.txt.s3ml")) << config;
    EXPECT_EQ(ReadFileText(model_dir + "/config.json").value(), config);
  }
}

}  // namespace
}  // namespace s3ml::client
