#include "client/pixel_encoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

namespace s3ml::client {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatEq;
using ::testing::HasSubstr;

engine::TensorInfo ImageInput(engine::DataType type, int h, int w, int c) {
  engine::TensorInfo info;
  info.name = "input";
  info.type = type;
  info.shape = {1, h, w, c};
  return info;
}

TEST(PixelEncoderTest, Uint8InputsTakeThePixelBytes) {
  const Image image{2, 1, 1, {0, 255}};
  std::vector<uint8_t> out(2);
  ASSERT_TRUE(EncodePixels(image, ImageInput(engine::DataType::kUInt8, 1, 2, 1), {}, out).ok());
  EXPECT_THAT(out, ElementsAre(0, 255));
}

TEST(PixelEncoderTest, Int8InputsTakePixelMinus128) {
  const Image image{3, 1, 1, {0, 128, 255}};
  std::vector<uint8_t> out(3);
  ASSERT_TRUE(EncodePixels(image, ImageInput(engine::DataType::kInt8, 1, 3, 1), {}, out).ok());
  EXPECT_EQ(static_cast<int8_t>(out[0]), -128);
  EXPECT_EQ(static_cast<int8_t>(out[1]), 0);
  EXPECT_EQ(static_cast<int8_t>(out[2]), 127);
}

TEST(PixelEncoderTest, FloatInputsAreNormalised) {
  const Image image{3, 1, 1, {0, 255, 100}};
  std::vector<uint8_t> out(12);
  ASSERT_TRUE(EncodePixels(image, ImageInput(engine::DataType::kFloat32, 1, 3, 1), {}, out).ok());
  float values[3];
  std::memcpy(values, out.data(), sizeof(values));
  EXPECT_THAT(values, ElementsAre(FloatEq(-1.0f), FloatEq(1.0f), FloatEq((100 - 127.5f) / 127.5f)));

  ASSERT_TRUE(EncodePixels(image, ImageInput(engine::DataType::kFloat32, 1, 3, 1), {0.0f, 255.0f}, out).ok());
  std::memcpy(values, out.data(), sizeof(values));
  EXPECT_THAT(values, ElementsAre(FloatEq(0.0f), FloatEq(1.0f), FloatEq(100 / 255.0f)));
}

TEST(PixelEncoderTest, RefusesZeroStdAndOtherTypes) {
  const Image image{1, 1, 1, {5}};
  std::vector<uint8_t> out(4);
  EXPECT_THAT(EncodePixels(image, ImageInput(engine::DataType::kFloat32, 1, 1, 1), {1.0f, 0.0f}, out).message(),
              HasSubstr("non-zero std"));
  EXPECT_EQ(EncodePixels(image, ImageInput(engine::DataType::kInt32, 1, 1, 1), {}, out).code(),
            StatusCode::kUnimplemented);
}

TEST(PixelEncoderTest, RefusesMismatchedImagesAndBuffers) {
  std::vector<uint8_t> out(4);
  EXPECT_THAT(EncodePixels(Image{2, 2, 3, std::vector<uint8_t>(12)}, ImageInput(engine::DataType::kUInt8, 2, 2, 1),
                           {}, out)
                  .message(),
              HasSubstr("wants 2x2x1"));
  std::vector<uint8_t> small(3);
  EXPECT_THAT(EncodePixels(Image{2, 2, 1, std::vector<uint8_t>(4)}, ImageInput(engine::DataType::kUInt8, 2, 2, 1),
                           {}, small)
                  .message(),
              HasSubstr("output buffer"));
}

TEST(PixelEncoderTest, ImageInputShapeAcceptsOnlyNhwcImages) {
  Result<ImageShape> shape = ImageInputShape(ImageInput(engine::DataType::kUInt8, 224, 160, 3));
  ASSERT_TRUE(shape.ok());
  EXPECT_EQ(shape->height, 224);
  EXPECT_EQ(shape->width, 160);
  EXPECT_EQ(shape->channels, 3);
  engine::TensorInfo vector;
  vector.name = "x";
  vector.shape = {1, 640};
  EXPECT_THAT(ImageInputShape(vector).status().message(), HasSubstr("not an image"));
  EXPECT_FALSE(ImageInputShape(ImageInput(engine::DataType::kUInt8, 4, 4, 2)).ok());
  engine::TensorInfo batch = ImageInput(engine::DataType::kUInt8, 4, 4, 3);
  batch.shape[0] = 2;
  EXPECT_FALSE(ImageInputShape(batch).ok());
}

}  // namespace
}  // namespace s3ml::client
