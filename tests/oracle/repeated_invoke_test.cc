// An Execution serves request after request: invoking it again on the same input must give the
// same output, and Invoke must not change its input buffers (model.h: buffers are valid for the
// Execution's lifetime; only outputs are overwritten).
#include <gtest/gtest.h>

#include <cstring>

#include "client/input_loader.h"
#include "tests/oracle/engine_runner.h"

namespace s3ml::oracle {
namespace {

// Regression: the memory plan once let the softmax output reuse the input's arena bytes (MobileNet
// v2 on cat.bmp gave 286 at 0.785 on the first Invoke and 0.844 on the second).
TEST(RepeatedInvokeTest, SameInputSameOutputAndInputIntact) {
  Result<std::shared_ptr<engine::Model>> model = LoadEngineModel(ModelPath("coral/mobilenet_v2_1.0_224_quant.tflite"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  Result<std::vector<uint8_t>> input = client::LoadInputTensor(ModelPath("coral/cat.bmp"), (*model)->inputs()[0], {});
  ASSERT_TRUE(input.ok()) << input.status().ToString();
  Result<std::unique_ptr<engine::Execution>> execution = (*model)->CreateExecution();
  ASSERT_TRUE(execution.ok()) << execution.status().ToString();
  std::memcpy((*execution)->input(0).data(), input->data(), input->size());
  ASSERT_TRUE((*execution)->Invoke().ok());
  const std::span<const uint8_t> first_span = (*execution)->output(0);
  const std::vector<uint8_t> first(first_span.begin(), first_span.end());
  EXPECT_EQ(std::memcmp((*execution)->input(0).data(), input->data(), input->size()), 0) << "Invoke changed the input";
  ASSERT_TRUE((*execution)->Invoke().ok());
  const std::span<const uint8_t> second = (*execution)->output(0);
  EXPECT_TRUE(std::equal(first.begin(), first.end(), second.begin(), second.end()));
}

}  // namespace
}  // namespace s3ml::oracle
