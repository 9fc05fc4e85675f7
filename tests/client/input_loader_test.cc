#include "client/input_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "tests/client/bmp_builder.h"
#include "tests/client/npy_builder.h"

namespace s3ml::client {
namespace {

using ::testing::HasSubstr;

engine::TensorInfo Input(engine::DataType type, std::vector<int32_t> shape) {
  engine::TensorInfo info;
  info.name = "input";
  info.type = type;
  info.shape = std::move(shape);
  return info;
}

TEST(InputLoaderTest, FormatByExtension) {
  EXPECT_EQ(InputFormatForPath("a/cat.bmp"), InputFormat::kBmp);
  EXPECT_EQ(InputFormatForPath("CAT.BMP"), InputFormat::kBmp);
  EXPECT_EQ(InputFormatForPath("x.npy"), InputFormat::kNpy);
  EXPECT_EQ(InputFormatForPath("bird.rgb"), InputFormat::kRaw);
  EXPECT_EQ(InputFormatForPath("tensor.bin"), InputFormat::kRaw);
  EXPECT_EQ(InputFormatForPath("dir.bmp/file"), InputFormat::kRaw);
}

TEST(InputLoaderTest, RawBytesMustMatchTheInputSize) {
  const engine::TensorInfo input = Input(engine::DataType::kFloat32, {1, 4});
  Result<std::vector<uint8_t>> ok = DecodeInputTensor(InputFormat::kRaw, std::vector<uint8_t>(16, 3), input, {});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, std::vector<uint8_t>(16, 3));
  Result<std::vector<uint8_t>> wrong = DecodeInputTensor(InputFormat::kRaw, std::vector<uint8_t>(15), input, {});
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.status().message(), HasSubstr("raw input is 15 bytes"));
  EXPECT_THAT(wrong.status().message(), HasSubstr("needs exactly 16"));
}

TEST(InputLoaderTest, NpyMustMatchDtypeAndShape) {
  const engine::TensorInfo input = Input(engine::DataType::kInt8, {1, 2, 3});
  const std::vector<uint8_t> data = {1, 2, 3, 4, 5, 6};
  // Leading ones may be omitted.
  Result<std::vector<uint8_t>> ok = DecodeInputTensor(InputFormat::kNpy, testing::BuildNpy("|i1", "2, 3", data),
                                                      input, {});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, data);
  EXPECT_THAT(DecodeInputTensor(InputFormat::kNpy, testing::BuildNpy("|u1", "1, 2, 3", data), input, {})
                  .status()
                  .message(),
              HasSubstr("is uint8, input 'input' is int8"));
  EXPECT_THAT(DecodeInputTensor(InputFormat::kNpy, testing::BuildNpy("|i1", "3, 2", data), input, {})
                  .status()
                  .message(),
              HasSubstr("shape [3,2] does not match"));
  EXPECT_FALSE(DecodeInputTensor(InputFormat::kNpy, std::vector<uint8_t>{1, 2, 3}, input, {}).ok());
}

TEST(InputLoaderTest, BmpIsAdaptedResizedAndEncoded) {
  // A grey 4x4 image into a float RGB 2x2 input: replicated, averaged, normalised to [-1, 1].
  Image grey{4, 4, 1, std::vector<uint8_t>(16, 255)};
  const std::vector<uint8_t> bmp = testing::BuildBmp(grey, {.bits = 8});
  Result<std::vector<uint8_t>> tensor =
      DecodeInputTensor(InputFormat::kBmp, bmp, Input(engine::DataType::kFloat32, {1, 2, 2, 3}), {});
  ASSERT_TRUE(tensor.ok()) << tensor.status().ToString();
  ASSERT_EQ(tensor->size(), 2u * 2 * 3 * 4);
  for (size_t i = 0; i < 12; ++i) {
    float value;
    std::memcpy(&value, tensor->data() + 4 * i, 4);
    EXPECT_FLOAT_EQ(value, 1.0f);
  }
}

TEST(InputLoaderTest, BmpForANonImageInputIsRefused) {
  const std::vector<uint8_t> bmp = testing::BuildBmp(testing::PatternImage(2, 2, 3));
  EXPECT_THAT(DecodeInputTensor(InputFormat::kBmp, bmp, Input(engine::DataType::kInt8, {1, 640}), {})
                  .status()
                  .message(),
              HasSubstr("not an image"));
}

TEST(InputLoaderTest, LoadNamesTheFileInErrors) {
  Result<std::vector<uint8_t>> missing =
      LoadInputTensor("/nonexistent/x.bmp", Input(engine::DataType::kUInt8, {1, 2, 2, 3}), {});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/x.bmp"));

  const std::string bird = S3ML_TESTDATA_DIR "/models/coral/bird.rgb";
  Result<std::vector<uint8_t>> raw = LoadInputTensor(bird, Input(engine::DataType::kUInt8, {1, 224, 224, 3}), {});
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_EQ(raw->size(), 150528u);
  Result<std::vector<uint8_t>> wrong = LoadInputTensor(bird, Input(engine::DataType::kUInt8, {1, 160, 160, 3}), {});
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.status().message(), HasSubstr(bird));
  EXPECT_THAT(wrong.status().message(), HasSubstr("raw input is 150528 bytes"));
}

}  // namespace
}  // namespace s3ml::client
