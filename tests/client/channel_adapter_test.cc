#include "client/channel_adapter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace s3ml::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ChannelAdapterTest, GreyToRgbReplicates) {
  Result<Image> rgb = ConvertChannels(Image{2, 1, 1, {10, 200}}, 3);
  ASSERT_TRUE(rgb.ok());
  EXPECT_EQ(rgb->channels, 3);
  EXPECT_THAT(rgb->pixels, ElementsAre(10, 10, 10, 200, 200, 200));
}

TEST(ChannelAdapterTest, RgbToGreyIsBt601Luma) {
  Result<Image> grey = ConvertChannels(Image{4, 1, 3, {255, 0, 0, 0, 255, 0, 0, 0, 255, 90, 90, 90}}, 1);
  ASSERT_TRUE(grey.ok());
  EXPECT_EQ(grey->channels, 1);
  EXPECT_THAT(grey->pixels, ElementsAre(76, 150, 29, 90));
}

TEST(ChannelAdapterTest, SameChannelsIsACopy) {
  const Image image{1, 1, 3, {1, 2, 3}};
  EXPECT_EQ(ConvertChannels(image, 3)->pixels, image.pixels);
}

TEST(ChannelAdapterTest, RefusesOtherChannelCounts) {
  EXPECT_THAT(ConvertChannels(Image{1, 1, 3, {1, 2, 3}}, 4).status().message(), HasSubstr("wants 4"));
  EXPECT_THAT(ConvertChannels(Image{1, 1, 2, {1, 2}}, 3).status().message(), HasSubstr("image has 2 channels"));
  EXPECT_FALSE(ConvertChannels(Image{2, 2, 1, {1}}, 3).ok());
}

}  // namespace
}  // namespace s3ml::client
