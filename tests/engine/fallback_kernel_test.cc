// The fallback kernels on single-operator models built here, with results worked out by hand:
// quantized windowed AVERAGE_POOL_2D, QUANTIZE from float, DEQUANTIZE, quantized SOFTMAX.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "engine/model.h"
#include "engine/model_impl.h"
#include "engine/schema/tflite_subset_generated.h"

namespace s3ml::engine {
namespace {

namespace fb = ::s3ml::engine::tflite;

struct TensorSpec {
  fb::TensorType type;
  std::vector<int32_t> shape;
  float scale = 0;  // 0: not quantized
  int64_t zero_point = 0;
};

// One operator from tensor 0 to tensor 1.
std::vector<uint8_t> SingleOpModel(int32_t code, const TensorSpec& in, const TensorSpec& out,
                                   fb::BuiltinOptions options_type = fb::BuiltinOptions::NONE,
                                   flatbuffers::Offset<void> (*options)(flatbuffers::FlatBufferBuilder&) = nullptr) {
  flatbuffers::FlatBufferBuilder b;
  auto tensor = [&](const TensorSpec& t, uint32_t buffer, const char* name) {
    flatbuffers::Offset<fb::QuantizationParameters> q = 0;
    if (t.scale != 0) {
      q = fb::CreateQuantizationParameters(b, 0, 0, b.CreateVector(std::vector<float>{t.scale}),
                                           b.CreateVector(std::vector<int64_t>{t.zero_point}));
    }
    return fb::CreateTensor(b, b.CreateVector(t.shape), t.type, buffer, b.CreateString(name), q);
  };
  std::vector tensors = {tensor(in, 1, "in"), tensor(out, 2, "out")};
  std::vector codes = {fb::CreateOperatorCode(b, static_cast<int8_t>(code), 0, 1, static_cast<fb::BuiltinOperator>(code))};
  std::vector ops = {fb::CreateOperator(b, 0, b.CreateVector(std::vector<int32_t>{0}),
                                        b.CreateVector(std::vector<int32_t>{1}), options_type,
                                        options ? options(b) : 0)};
  std::vector buffers = {fb::CreateBuffer(b), fb::CreateBuffer(b), fb::CreateBuffer(b)};
  auto sg = fb::CreateSubGraph(b, b.CreateVector(tensors), b.CreateVector(std::vector<int32_t>{0}),
                               b.CreateVector(std::vector<int32_t>{1}), b.CreateVector(ops));
  fb::FinishModelBuffer(b, fb::CreateModel(b, 3, b.CreateVector(codes), b.CreateVector(std::vector{sg}), 0,
                                           b.CreateVector(buffers)));
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

struct Loaded {
  std::shared_ptr<Model> model;
  std::unique_ptr<Execution> exec;
};

Loaded MustLoad(const std::vector<uint8_t>& bytes) {
  auto model = Model::Load(bytes);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  if (!model.ok()) return {};
  auto exec = (*model)->CreateExecution();
  EXPECT_TRUE(exec.ok());
  return {*model, std::move(*exec)};
}

TEST(FallbackKernels, Int8AveragePoolWithAWindowSmallerThanTheInput) {
  const auto bytes = SingleOpModel(
      1, {fb::TensorType::INT8, {1, 4, 4, 1}, 0.5f, -1}, {fb::TensorType::INT8, {1, 2, 2, 1}, 0.5f, -1},
      fb::BuiltinOptions::Pool2DOptions, [](flatbuffers::FlatBufferBuilder& b) {
        return fb::CreatePool2DOptions(b, fb::Padding::VALID, 2, 2, 2, 2).Union();
      });
  Loaded l = MustLoad(bytes);
  ASSERT_NE(l.exec, nullptr);
  const auto* impl = static_cast<const ModelImpl*>(l.model.get());
  EXPECT_EQ(impl->xnnpack_operator_count(), 0u);  // the windowed int8 pool is a fallback
  const int8_t in[16] = {1, 2, 10, 20, 3, 5, 30, 40, -8, -9, 127, 127, -10, -12, -128, 127};
  std::memcpy(l.exec->input(0).data(), in, 16);
  ASSERT_TRUE(l.exec->Invoke().ok());
  // Means: (1+2+3+5)/4 = 2.75 -> 3; (10+20+30+40)/4 = 25; (-8-9-10-12)/4 = -9.75 -> -10;
  // (127+127-128+127)/4 = 63.25 -> 63.
  const auto out = l.exec->output(0);
  EXPECT_EQ(static_cast<int8_t>(out[0]), 3);
  EXPECT_EQ(static_cast<int8_t>(out[1]), 25);
  EXPECT_EQ(static_cast<int8_t>(out[2]), -10);
  EXPECT_EQ(static_cast<int8_t>(out[3]), 63);
}

TEST(FallbackKernels, QuantizeFloatToUint8Saturates) {
  Loaded l = MustLoad(SingleOpModel(114, {fb::TensorType::FLOAT32, {4}}, {fb::TensorType::UINT8, {4}, 0.5f, 10}));
  ASSERT_NE(l.exec, nullptr);
  const float in[4] = {0.0f, 1.2f, -100.0f, 1000.0f};
  std::memcpy(l.exec->input(0).data(), in, sizeof(in));
  ASSERT_TRUE(l.exec->Invoke().ok());
  const auto out = l.exec->output(0);
  EXPECT_EQ(out[0], 10);   // 0 / 0.5 + 10
  EXPECT_EQ(out[1], 12);   // round(2.4) + 10
  EXPECT_EQ(out[2], 0);    // saturated low
  EXPECT_EQ(out[3], 255);  // saturated high
}

TEST(FallbackKernels, RequantizeUint8ToInt8) {
  Loaded l = MustLoad(
      SingleOpModel(114, {fb::TensorType::UINT8, {3}, 0.1f, 128}, {fb::TensorType::INT8, {3}, 0.2f, 0}));
  ASSERT_NE(l.exec, nullptr);
  const uint8_t in[3] = {128, 138, 0};  // 0.0, 1.0, -12.8
  std::memcpy(l.exec->input(0).data(), in, 3);
  ASSERT_TRUE(l.exec->Invoke().ok());
  EXPECT_EQ(static_cast<int8_t>(l.exec->output(0)[0]), 0);
  EXPECT_EQ(static_cast<int8_t>(l.exec->output(0)[1]), 5);
  EXPECT_EQ(static_cast<int8_t>(l.exec->output(0)[2]), -64);
}

TEST(FallbackKernels, DequantizeInt8) {
  Loaded l = MustLoad(SingleOpModel(6, {fb::TensorType::INT8, {2}, 0.25f, -3}, {fb::TensorType::FLOAT32, {2}}));
  ASSERT_NE(l.exec, nullptr);
  l.exec->input(0)[0] = static_cast<uint8_t>(static_cast<int8_t>(-3));
  l.exec->input(0)[1] = static_cast<uint8_t>(static_cast<int8_t>(5));
  ASSERT_TRUE(l.exec->Invoke().ok());
  float out[2];
  std::memcpy(out, l.exec->output(0).data(), sizeof(out));
  EXPECT_FLOAT_EQ(out[0], 0.0f);
  EXPECT_FLOAT_EQ(out[1], 2.0f);
}

TEST(FallbackKernels, Uint8SoftmaxSumsToOne) {
  const auto bytes = SingleOpModel(
      25, {fb::TensorType::UINT8, {2, 3}, 0.5f, 100}, {fb::TensorType::UINT8, {2, 3}, 1.0f / 256, 0},
      fb::BuiltinOptions::SoftmaxOptions,
      [](flatbuffers::FlatBufferBuilder& b) { return fb::CreateSoftmaxOptions(b, 1.0f).Union(); });
  Loaded l = MustLoad(bytes);
  ASSERT_NE(l.exec, nullptr);
  const uint8_t in[6] = {100, 100, 100, 100, 102, 104};  // rows: {0,0,0}, {0,1,2}
  std::memcpy(l.exec->input(0).data(), in, 6);
  ASSERT_TRUE(l.exec->Invoke().ok());
  const auto out = l.exec->output(0);
  EXPECT_EQ(out[0], 85);  // 1/3 * 256 = 85.3
  EXPECT_EQ(out[1], 85);
  // softmax(0,1,2) = 0.090, 0.245, 0.665 -> 23, 63, 170
  EXPECT_EQ(out[3], 23);
  EXPECT_EQ(out[4], 63);
  EXPECT_EQ(out[5], 170);
}

TEST(FallbackKernels, FloatSoftmaxWithBetaRunsOnTheFallback) {
  const auto bytes = SingleOpModel(
      25, {fb::TensorType::FLOAT32, {1, 2}}, {fb::TensorType::FLOAT32, {1, 2}}, fb::BuiltinOptions::SoftmaxOptions,
      [](flatbuffers::FlatBufferBuilder& b) { return fb::CreateSoftmaxOptions(b, 2.0f).Union(); });
  Loaded l = MustLoad(bytes);
  ASSERT_NE(l.exec, nullptr);
  EXPECT_EQ(l.model->xnnpack_operator_count(), 0u);
  const float in[2] = {0.0f, 1.0f};
  std::memcpy(l.exec->input(0).data(), in, sizeof(in));
  ASSERT_TRUE(l.exec->Invoke().ok());
  float out[2];
  std::memcpy(out, l.exec->output(0).data(), sizeof(out));
  const float e2 = std::exp(2.0f);
  EXPECT_NEAR(out[0], 1.0f / (1.0f + e2), 1e-6);
  EXPECT_NEAR(out[1], e2 / (1.0f + e2), 1e-6);
}

TEST(FallbackKernels, Int8SoftmaxOfAConstantRowIsUniform) {
  const auto bytes = SingleOpModel(
      25, {fb::TensorType::INT8, {1, 4}, 0.1f, 0}, {fb::TensorType::INT8, {1, 4}, 1.0f / 256, -128},
      fb::BuiltinOptions::SoftmaxOptions,
      [](flatbuffers::FlatBufferBuilder& b) { return fb::CreateSoftmaxOptions(b, 1.0f).Union(); });
  Loaded l = MustLoad(bytes);
  ASSERT_NE(l.exec, nullptr);
  for (auto& b : l.exec->input(0)) b = static_cast<uint8_t>(static_cast<int8_t>(-7));
  ASSERT_TRUE(l.exec->Invoke().ok());
  for (uint8_t q : l.exec->output(0)) EXPECT_EQ(static_cast<int8_t>(q), -64);  // 0.25 * 256 - 128
}

TEST(FallbackKernels, SoftmaxWithAMismatchedOutputShapeIsRefused) {
  auto model = Model::Load(SingleOpModel(
      25, {fb::TensorType::UINT8, {2, 3}, 0.5f, 100}, {fb::TensorType::UINT8, {3, 2}, 1.0f / 256, 0},
      fb::BuiltinOptions::SoftmaxOptions,
      [](flatbuffers::FlatBufferBuilder& b) { return fb::CreateSoftmaxOptions(b, 1.0f).Union(); }));
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("should have shape [2,3]"), std::string::npos) << model.status().ToString();
}

TEST(FallbackKernels, MissingOptionsAreRefused) {
  auto model = Model::Load(SingleOpModel(1, {fb::TensorType::INT8, {1, 4, 4, 1}, 0.5f, -1},
                                         {fb::TensorType::INT8, {1, 2, 2, 1}, 0.5f, -1}));
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("missing Pool2DOptions"), std::string::npos) << model.status().ToString();
}

}  // namespace
}  // namespace s3ml::engine
