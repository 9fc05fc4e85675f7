#include "client/top_k.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace s3ml::client {
namespace {

using ::testing::HasSubstr;

engine::TensorInfo Output(engine::DataType type, int32_t count) {
  engine::TensorInfo info;
  info.name = "scores";
  info.type = type;
  info.shape = {1, count};
  return info;
}

std::vector<size_t> Indices(const std::vector<ScoredClass>& classes) {
  std::vector<size_t> out;
  for (const ScoredClass& c : classes) out.push_back(c.index);
  return out;
}

TEST(TopKTest, DequantizesUint8Scores) {
  engine::TensorInfo info = Output(engine::DataType::kUInt8, 4);
  info.quantization.scales = {0.00390625f};
  info.quantization.zero_points = {0};
  const std::vector<uint8_t> data = {10, 200, 50, 255};
  Result<std::vector<ScoredClass>> top = TopK(info, data, 2);
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  ASSERT_EQ(top->size(), 2u);
  EXPECT_EQ((*top)[0].index, 3u);
  EXPECT_FLOAT_EQ((*top)[0].score, 255 * 0.00390625f);
  EXPECT_EQ((*top)[1].index, 1u);
  EXPECT_FLOAT_EQ((*top)[1].score, 200 * 0.00390625f);
}

TEST(TopKTest, DequantizesInt8ScoresWithZeroPoint) {
  engine::TensorInfo info = Output(engine::DataType::kInt8, 2);
  info.quantization.scales = {1.0f / 256};
  info.quantization.zero_points = {-128};
  const std::vector<uint8_t> data = {static_cast<uint8_t>(int8_t{-128}), static_cast<uint8_t>(int8_t{127})};
  Result<std::vector<ScoredClass>> top = TopK(info, data, 5);
  ASSERT_TRUE(top.ok());
  ASSERT_EQ(top->size(), 2u);  // k beyond the count returns all
  EXPECT_EQ((*top)[0].index, 1u);
  EXPECT_FLOAT_EQ((*top)[0].score, 255.0f / 256);
  EXPECT_FLOAT_EQ((*top)[1].score, 0.0f);
}

TEST(TopKTest, FloatScoresTiesByIndexAndNanLast) {
  const float values[] = {0.5f, NAN, 0.9f, 0.5f, -1.0f};
  std::vector<uint8_t> data(sizeof(values));
  std::memcpy(data.data(), values, sizeof(values));
  Result<std::vector<ScoredClass>> top = TopK(Output(engine::DataType::kFloat32, 5), data, 5);
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(Indices(*top), (std::vector<size_t>{2, 0, 3, 4, 1}));
}

TEST(TopKTest, UnquantizedIntegersAreRawValues) {
  Result<std::vector<ScoredClass>> top = TopK(Output(engine::DataType::kUInt8, 3), std::vector<uint8_t>{3, 9, 1}, 1);
  ASSERT_TRUE(top.ok());
  EXPECT_EQ((*top)[0].index, 1u);
  EXPECT_FLOAT_EQ((*top)[0].score, 9.0f);
}

TEST(TopKTest, RefusesWrongSizesPerChannelAndOtherTypes) {
  EXPECT_THAT(TopK(Output(engine::DataType::kFloat32, 3), std::vector<uint8_t>(11), 1).status().message(),
              HasSubstr("11 bytes, expected 12"));
  engine::TensorInfo per_channel = Output(engine::DataType::kInt8, 2);
  per_channel.quantization.scales = {0.1f, 0.2f};
  per_channel.quantization.zero_points = {0, 0};
  EXPECT_THAT(TopK(per_channel, std::vector<uint8_t>(2), 1).status().message(), HasSubstr("per channel"));
  EXPECT_EQ(TopK(Output(engine::DataType::kBool, 2), std::vector<uint8_t>(2), 1).status().code(),
            StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace s3ml::client
