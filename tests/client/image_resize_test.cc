#include "client/image_resize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace s3ml::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Image Grey(int width, int height, std::vector<uint8_t> pixels) { return Image{width, height, 1, std::move(pixels)}; }

TEST(ImageResizeTest, SameSizeIsAnExactCopy) {
  const Image image = Grey(3, 2, {1, 2, 3, 4, 5, 6});
  Result<Image> resized = ResizeBilinear(image, 3, 2);
  ASSERT_TRUE(resized.ok());
  EXPECT_EQ(resized->pixels, image.pixels);
}

TEST(ImageResizeTest, UpscalesWithHalfPixelCentres) {
  // 2 -> 4 pixels: sample points -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
  Result<Image> resized = ResizeBilinear(Grey(2, 1, {0, 100}), 4, 1);
  ASSERT_TRUE(resized.ok());
  EXPECT_THAT(resized->pixels, ElementsAre(0, 25, 75, 100));
}

TEST(ImageResizeTest, DownscalesByTwoToPairAverages) {
  // 4 -> 2 pixels: sample points 0.5 and 2.5, the midpoints of each pair.
  Result<Image> resized = ResizeBilinear(Grey(4, 1, {0, 10, 20, 31}), 2, 1);
  ASSERT_TRUE(resized.ok());
  EXPECT_THAT(resized->pixels, ElementsAre(5, 26));  // 25.5 rounds to nearest (away from zero)
}

TEST(ImageResizeTest, InterpolatesBothAxesAndKeepsChannelsApart) {
  Image rgb{2, 2, 3, {0, 0, 200, 100, 0, 200, 0, 100, 200, 100, 100, 200}};
  Result<Image> resized = ResizeBilinear(rgb, 1, 1);  // samples the centre (0.5, 0.5)
  ASSERT_TRUE(resized.ok());
  EXPECT_THAT(resized->pixels, ElementsAre(50, 50, 200));
  EXPECT_EQ(resized->channels, 3);
}

TEST(ImageResizeTest, ConstantImageStaysConstant) {
  Image flat{5, 3, 3, std::vector<uint8_t>(45, 77)};
  Result<Image> resized = ResizeBilinear(flat, 13, 11);
  ASSERT_TRUE(resized.ok());
  EXPECT_EQ(resized->pixels, std::vector<uint8_t>(13 * 11 * 3, 77));
}

TEST(ImageResizeTest, RefusesBadTargetsAndInconsistentImages) {
  const Image image = Grey(2, 2, {1, 2, 3, 4});
  EXPECT_THAT(ResizeBilinear(image, 0, 4).status().message(), HasSubstr("out of range"));
  EXPECT_THAT(ResizeBilinear(image, 4, -1).status().message(), HasSubstr("out of range"));
  EXPECT_THAT(ResizeBilinear(image, 1 << 20, 1).status().message(), HasSubstr("out of range"));
  EXPECT_THAT(ResizeBilinear(Grey(2, 2, {1, 2, 3}), 4, 4).status().message(), HasSubstr("inconsistent"));
}

}  // namespace
}  // namespace s3ml::client
