#include "client/label_map.h"

#include <gtest/gtest.h>

namespace s3ml::client {
namespace {

TEST(LabelMapTest, OneLabelPerLine) {
  const LabelMap labels = LabelMap::Parse("background\ntench, Tinca tinca\ngoldfish\n");
  EXPECT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels.Name(0), "background");
  EXPECT_EQ(labels.Name(1), "tench, Tinca tinca");
  EXPECT_EQ(labels.Name(2), "goldfish");
  EXPECT_EQ(labels.Name(3), "");
}

TEST(LabelMapTest, CrLfBlankLinesAndNoFinalNewline) {
  const LabelMap labels = LabelMap::Parse("a\r\n\r\nc");
  EXPECT_EQ(labels.size(), 3u);
  EXPECT_EQ(labels.Name(0), "a");
  EXPECT_EQ(labels.Name(1), "");
  EXPECT_EQ(labels.Name(2), "c");
  EXPECT_EQ(LabelMap::Parse("").size(), 0u);
}

TEST(LabelMapTest, LoadsTheImagenetLabels) {
  Result<LabelMap> labels = LabelMap::Load(S3ML_TESTDATA_DIR "/models/coral/imagenet_labels.txt");
  ASSERT_TRUE(labels.ok()) << labels.status().ToString();
  EXPECT_EQ(labels->size(), 1001u);
  EXPECT_EQ(labels->Name(286), "Egyptian cat");
  EXPECT_EQ(labels->Name(20), "chickadee");
}

TEST(LabelMapTest, MissingFileIsAnError) {
  Result<LabelMap> labels = LabelMap::Load("/nonexistent/labels.txt");
  ASSERT_FALSE(labels.ok());
  EXPECT_NE(labels.status().message().find("/nonexistent/labels.txt"), std::string::npos);
}

}  // namespace
}  // namespace s3ml::client
