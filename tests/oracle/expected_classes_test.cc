// End-to-end: real images through our preprocessing (client/) and engine give the classes the
// model publishers document (testdata/models/README.md). Scores depend on resizing details, so
// only loose bounds are asserted on them.
#include <gtest/gtest.h>

#include <cstdio>

#include "client/input_loader.h"
#include "client/top_k.h"
#include "core/file.h"
#include "tests/oracle/engine_runner.h"

namespace s3ml::oracle {
namespace {

struct Case {
  const char* model;
  const char* input;
  size_t min_class;  // top-1 must be in [min_class, max_class]
  size_t max_class;
  float min_score;
  float max_score;
  // Non-zero: the input is raw RGB of this width and height, resized like a decoded image.
  int raw_rgb_side = 0;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.model << " on " << c.input; }

class ExpectedClassTest : public ::testing::TestWithParam<Case> {};

TEST_P(ExpectedClassTest, TopClassAndScore) {
  const Case& c = GetParam();
  Result<std::shared_ptr<engine::Model>> model = LoadEngineModel(ModelPath(c.model));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  ASSERT_EQ((*model)->inputs().size(), 1u);
  Result<std::vector<uint8_t>> input = client::LoadInputTensor(ModelPath(c.input), (*model)->inputs()[0], {});
  if (c.raw_rgb_side != 0) {
    Result<std::vector<uint8_t>> rgb = ReadFileBytes(ModelPath(c.input));
    ASSERT_TRUE(rgb.ok()) << rgb.status().ToString();
    input = client::ImageToTensor(client::Image{c.raw_rgb_side, c.raw_rgb_side, 3, *rgb}, (*model)->inputs()[0], {});
  }
  ASSERT_TRUE(input.ok()) << input.status().ToString();
  Result<std::vector<std::vector<uint8_t>>> outputs = RunEngine(**model, {*input});
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  Result<std::vector<client::ScoredClass>> top = client::TopK((*model)->outputs()[0], (*outputs)[0], 3);
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  const client::ScoredClass& best = (*top)[0];
  RecordProperty("top1", std::to_string(best.index));
  RecordProperty("score", std::to_string(best.score));
  std::printf("%s on %s: top-1 %zu score %.4f\n", c.model, c.input, best.index, static_cast<double>(best.score));
  EXPECT_GE(best.index, c.min_class) << "score " << best.score;
  EXPECT_LE(best.index, c.max_class) << "score " << best.score;
  EXPECT_GE(best.score, c.min_score) << "class " << best.index;
  EXPECT_LE(best.score, c.max_score) << "class " << best.index;
}

INSTANTIATE_TEST_SUITE_P(
    Models, ExpectedClassTest,
    ::testing::Values(
        Case{"coral/mobilenet_v2_1.0_224_quant.tflite", "coral/bird.rgb", 20, 20, 0.9f, 1.0f},
        Case{"coral/mobilenet_v2_1.0_224_quant.tflite", "coral/cat.bmp", 286, 286, 0.6f, 0.95f},
        Case{"coral/tf2_mobilenet_v2_1.0_224_ptq.tflite", "coral/bird.rgb", 20, 20, 0.5f, 1.0f},
        Case{"coral/tf2_mobilenet_v2_1.0_224_ptq.tflite", "coral/cat.bmp", 286, 286, 0.4f, 1.0f},
        Case{"coral/mobilenet_v1_0.5_160_quant.tflite", "coral/bird.rgb", 20, 20, 0.9f, 1.0f, 224},
        Case{"coral/mobilenet_v1_0.5_160_quant.tflite", "coral/cat.bmp", 286, 286, 0.4f, 0.85f},
        Case{"coral/mobilenet_v1_0.25_128_quant.tflite", "coral/cat.bmp", 281, 286, 0.2f, 1.0f},
        Case{"tflite-micro/person_detect.tflite", "tflite-micro/no_person.bmp", 0, 0, 0.6f, 1.0f}),
    [](const ::testing::TestParamInfo<Case>& info) { return "Case" + std::to_string(info.index); });

// The shipped 224x224 crop of the cat agrees with the resized original.
TEST(ExpectedClassResizedTest, ResizedCatBmpIsAnEgyptianCat) {
  Result<std::shared_ptr<engine::Model>> model = LoadEngineModel(ModelPath("coral/mobilenet_v2_1.0_224_quant.tflite"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  Result<std::vector<uint8_t>> input =
      client::LoadInputTensor(ModelPath("coral/resized_cat.bmp"), (*model)->inputs()[0], {});
  ASSERT_TRUE(input.ok()) << input.status().ToString();
  Result<std::vector<std::vector<uint8_t>>> outputs = RunEngine(**model, {*input});
  ASSERT_TRUE(outputs.ok()) << outputs.status().ToString();
  Result<std::vector<client::ScoredClass>> top = client::TopK((*model)->outputs()[0], (*outputs)[0], 1);
  ASSERT_TRUE(top.ok());
  EXPECT_EQ((*top)[0].index, 286u);
}

}  // namespace
}  // namespace s3ml::oracle
