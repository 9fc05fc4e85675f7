// Float and int8 versions of the same network (MLPerf Tiny ResNet-8, visual wake words, keyword
// spotting) should pick the same top class for most inputs. Each random input is drawn as int8
// values for the quantized model and dequantized with its input quantization for the float model,
// so both see the same real input. The floors are below the agreement rates measured on this
// engine (ResNet-8 94/100, VWW 100/100, KWS 31/100). Uniform random inputs are far from real data;
// KWS in particular (MFCC features, 12 classes, float model with int8 weights) gives saturated,
// input-sensitive softmaxes on such noise, so its floor is low.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>

#include "client/top_k.h"
#include "tests/oracle/engine_runner.h"

namespace s3ml::oracle {
namespace {

constexpr int kInputs = 100;

struct Case {
  const char* float_model;
  const char* int8_model;
  double min_agreement;  // fraction of inputs with the same top-1 class
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.float_model << " vs " << c.int8_model; }

class FloatInt8AgreementTest : public ::testing::TestWithParam<Case> {};

TEST_P(FloatInt8AgreementTest, TopClassesAgree) {
  const Case& c = GetParam();
  Result<std::shared_ptr<engine::Model>> float_model = LoadEngineModel(ModelPath(c.float_model));
  ASSERT_TRUE(float_model.ok()) << float_model.status().ToString();
  Result<std::shared_ptr<engine::Model>> int8_model = LoadEngineModel(ModelPath(c.int8_model));
  ASSERT_TRUE(int8_model.ok()) << int8_model.status().ToString();
  ASSERT_EQ((*float_model)->inputs().size(), 1u);
  ASSERT_EQ((*int8_model)->inputs().size(), 1u);
  const engine::TensorInfo& float_input = (*float_model)->inputs()[0];
  const engine::TensorInfo& int8_input = (*int8_model)->inputs()[0];
  ASSERT_EQ(float_input.type, engine::DataType::kFloat32);
  ASSERT_TRUE(int8_input.quantization.quantized());
  ASSERT_EQ(float_input.element_count(), int8_input.element_count());

  int agree = 0;
  for (int run = 0; run < kInputs; ++run) {
    std::mt19937 rng(run);
    const std::vector<uint8_t> quantized = RandomTensor(int8_input, rng);
    std::vector<uint8_t> real(float_input.byte_size());
    for (size_t i = 0; i < int8_input.element_count(); ++i) {
      const float value = RealValue(int8_input, quantized, i);
      std::memcpy(real.data() + 4 * i, &value, 4);
    }
    Result<std::vector<std::vector<uint8_t>>> float_out = RunEngine(**float_model, {real});
    ASSERT_TRUE(float_out.ok()) << float_out.status().ToString();
    Result<std::vector<std::vector<uint8_t>>> int8_out = RunEngine(**int8_model, {quantized});
    ASSERT_TRUE(int8_out.ok()) << int8_out.status().ToString();
    Result<std::vector<client::ScoredClass>> float_top = client::TopK((*float_model)->outputs()[0], (*float_out)[0], 1);
    Result<std::vector<client::ScoredClass>> int8_top = client::TopK((*int8_model)->outputs()[0], (*int8_out)[0], 1);
    ASSERT_TRUE(float_top.ok() && int8_top.ok());
    if ((*float_top)[0].index == (*int8_top)[0].index) ++agree;
  }
  const double agreement = static_cast<double>(agree) / kInputs;
  std::printf("%s vs %s: top-1 agreement %d/%d\n", c.float_model, c.int8_model, agree, kInputs);
  RecordProperty("agreement", std::to_string(agreement));
  EXPECT_GE(agreement, c.min_agreement);
}

INSTANTIATE_TEST_SUITE_P(
    Networks, FloatInt8AgreementTest,
    ::testing::Values(Case{"mlperf-tiny/pretrainedResnet.tflite", "mlperf-tiny/pretrainedResnet_quant.tflite", 0.85},
                      Case{"mlperf-tiny/vww_96_float.tflite", "mlperf-tiny/vww_96_int8.tflite", 0.9},
                      Case{"mlperf-tiny/kws_ref_model_float32.tflite", "mlperf-tiny/kws_ref_model.tflite", 0.2}),
    [](const ::testing::TestParamInfo<Case>& info) { return "Network" + std::to_string(info.index); });

}  // namespace
}  // namespace s3ml::oracle
