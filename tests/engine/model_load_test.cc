// Every shared test model loads and runs with the shapes and types its README states; the
// CUSTOM-op model is refused by operator name.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>

#include "engine/model.h"
#include "engine/model_impl.h"
#include "tests/engine/test_models.h"

namespace s3ml::engine {
namespace {

using testing::ReadTestFile;
using testing::RunnableModels;

struct Expected {
  DataType in_type;
  std::vector<int32_t> in_shape;
  DataType out_type;
  std::vector<int32_t> out_shape;
};

const std::map<std::string, Expected>& ExpectedShapes() {
  static const std::map<std::string, Expected> m = {
      {"coral/mobilenet_v2_1.0_224_quant.tflite", {DataType::kUInt8, {1, 224, 224, 3}, DataType::kUInt8, {1, 1001}}},
      {"coral/mobilenet_v1_0.5_160_quant.tflite", {DataType::kUInt8, {1, 160, 160, 3}, DataType::kUInt8, {1, 1001}}},
      {"coral/mobilenet_v1_0.25_128_quant.tflite", {DataType::kUInt8, {1, 128, 128, 3}, DataType::kUInt8, {1, 1001}}},
      {"coral/tf2_mobilenet_v2_1.0_224_ptq.tflite", {DataType::kUInt8, {1, 224, 224, 3}, DataType::kUInt8, {1, 1001}}},
      {"tflite-micro/hello_world_float.tflite", {DataType::kFloat32, {1, 1}, DataType::kFloat32, {1, 1}}},
      {"tflite-micro/hello_world_int8.tflite", {DataType::kInt8, {1, 1}, DataType::kInt8, {1, 1}}},
      {"tflite-micro/simple_add_model.tflite", {DataType::kInt8, {1, 128, 128, 1}, DataType::kInt8, {1, 128, 128, 1}}},
      {"tflite-micro/person_detect.tflite", {DataType::kInt8, {1, 96, 96, 1}, DataType::kInt8, {1, 2}}},
      {"mlperf-tiny/kws_ref_model.tflite", {DataType::kInt8, {1, 49, 10, 1}, DataType::kInt8, {1, 12}}},
      {"mlperf-tiny/kws_ref_model_float32.tflite", {DataType::kFloat32, {1, 49, 10, 1}, DataType::kFloat32, {1, 12}}},
      {"mlperf-tiny/pretrainedResnet.tflite", {DataType::kFloat32, {1, 32, 32, 3}, DataType::kFloat32, {1, 10}}},
      {"mlperf-tiny/pretrainedResnet_quant.tflite", {DataType::kInt8, {1, 32, 32, 3}, DataType::kInt8, {1, 10}}},
      {"mlperf-tiny/vww_96_float.tflite", {DataType::kFloat32, {1, 96, 96, 3}, DataType::kFloat32, {1, 2}}},
      {"mlperf-tiny/vww_96_int8.tflite", {DataType::kInt8, {1, 96, 96, 3}, DataType::kInt8, {1, 2}}},
      {"mlperf-tiny/ad01_int8.tflite", {DataType::kInt8, {1, 640}, DataType::kInt8, {1, 640}}},
  };
  return m;
}

class EveryModel : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryModel, LoadsAndRunsWithTheRightShapesAndTypes) {
  const std::vector<uint8_t> bytes = ReadTestFile(GetParam());
  auto model = Model::Load(bytes);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const Expected& want = ExpectedShapes().at(GetParam());
  ASSERT_GE((*model)->inputs().size(), 1u);
  ASSERT_EQ((*model)->outputs().size(), 1u);
  for (const TensorInfo& in : (*model)->inputs()) {
    EXPECT_EQ(in.type, want.in_type);
    EXPECT_EQ(in.shape, want.in_shape);
  }
  EXPECT_EQ((*model)->outputs()[0].type, want.out_type);
  EXPECT_EQ((*model)->outputs()[0].shape, want.out_shape);
  EXPECT_GT((*model)->arena_bytes(), 0u);
  EXPECT_GT((*model)->xnnpack_operator_count(), 0u);
  const auto* impl = dynamic_cast<const ModelImpl*>(model->get());
  ASSERT_NE(impl, nullptr);
  std::printf("%s: %zu ops: %s; arena %zu B, xnnpack %zu B\n", GetParam().c_str(), (*model)->operator_count(),
              impl->DescribeOperators().c_str(), (*model)->arena_bytes(), (*model)->packed_weights_bytes());

  auto exec = (*model)->CreateExecution();
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  for (size_t i = 0; i < (*model)->inputs().size(); ++i) {
    std::span<uint8_t> in = (*exec)->input(i);
    ASSERT_EQ(in.size(), (*model)->inputs()[i].byte_size());
    for (size_t b = 0; b < in.size(); ++b) in[b] = static_cast<uint8_t>(b * 7 + i);
    if ((*model)->inputs()[i].type == DataType::kFloat32) {
      // Finite floats in [0, 1) rather than arbitrary bit patterns.
      auto* f = reinterpret_cast<float*>(in.data());
      for (size_t e = 0; e < in.size() / 4; ++e) f[e] = static_cast<float>(e % 97) / 97.0f;
    }
  }
  ASSERT_TRUE((*exec)->Invoke().ok());
  EXPECT_EQ((*exec)->output(0).size(), (*model)->outputs()[0].byte_size());
  EXPECT_TRUE((*exec)->input((*model)->inputs().size()).empty());
  EXPECT_TRUE((*exec)->output(1).empty());
  if (want.out_type == DataType::kFloat32) {
    const auto* f = reinterpret_cast<const float*>((*exec)->output(0).data());
    for (size_t e = 0; e < (*exec)->output(0).size() / 4; ++e) EXPECT_TRUE(std::isfinite(f[e]));
  }
}

INSTANTIATE_TEST_SUITE_P(Models, EveryModel, ::testing::ValuesIn(RunnableModels()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name;
                           for (char c : info.param) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

TEST(ModelLoad, RefusesTheCustomOperatorByName) {
  auto model = Model::Load(ReadTestFile("coral/model_invoking_error.tflite"));
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(model.status().message().find("CUSTOM(fake-op-double)"), std::string::npos) << model.status().ToString();
}

TEST(ModelLoad, RefusesBadThreadCounts) {
  const auto bytes = ReadTestFile("tflite-micro/hello_world_float.tflite");
  LoadOptions options;
  options.threads = 0;
  auto model = Model::Load(bytes, options);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("threads"), std::string::npos);
}

}  // namespace
}  // namespace s3ml::engine
