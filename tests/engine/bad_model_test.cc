// Malformed, truncated, oversized and inconsistent models: every one must give a clear error
// value naming what is wrong, never a crash (run these under ASan+UBSan too).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "engine/model.h"
#include "engine/schema/tflite_subset_generated.h"
#include "tests/engine/test_models.h"

namespace s3ml::engine {
namespace {

namespace fb = ::s3ml::engine::tflite;
using testing::ReadTestFile;

// Knobs for a small int8 model: input [1,2] -> FULLY_CONNECTED(W [3,2], b [3]) -> output [1,3],
// each knob breaking one thing.
struct Knobs {
  std::vector<int32_t> input_shape = {1, 2};
  std::vector<int32_t> output_shape = {1, 3};
  uint32_t weight_buffer = 2;
  size_t weight_bytes = 6;
  uint32_t opcode_index = 0;
  int32_t op_input = 0;  // tensor index of the FC's first input
  int32_t subgraph_input = 0;
  int32_t builtin_code = 9;  // FULLY_CONNECTED
  std::vector<int32_t> extra_builtin_codes;  // more operators (each applied to tensor 0 -> 3)
  size_t weight_scales = 1;
  size_t weight_zero_points = 1;
  int32_t bias_quantized_dimension = 0;
  size_t bias_scales = 1;
  uint32_t version = 3;
  int64_t weight_zero_point = 0;
  float weight_scale = 0.25f;
  uint64_t weight_buffer_offset = 0;
  int32_t subgraph_output = 3;
};

std::vector<uint8_t> BuildModel(const Knobs& k) {
  flatbuffers::FlatBufferBuilder b;
  auto quant = [&](size_t scales, size_t zps, float scale, int32_t dim, int64_t zp = 0) {
    std::vector<float> s(scales, scale);
    std::vector<int64_t> z(zps, zp);
    return fb::CreateQuantizationParameters(b, 0, 0, b.CreateVector(s), b.CreateVector(z), fb::QuantizationDetails::NONE,
                                            0, dim);
  };
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors = {
      fb::CreateTensor(b, b.CreateVector(k.input_shape), fb::TensorType::INT8, 1, b.CreateString("input"),
                       quant(1, 1, 0.5f, 0)),
      fb::CreateTensor(b, b.CreateVector(std::vector<int32_t>{3, 2}), fb::TensorType::INT8, k.weight_buffer,
                       b.CreateString("weights"), quant(k.weight_scales, k.weight_zero_points, k.weight_scale, 0, k.weight_zero_point)),
      fb::CreateTensor(b, b.CreateVector(std::vector<int32_t>{3}), fb::TensorType::INT32, 3, b.CreateString("bias"),
                       quant(k.bias_scales, k.bias_scales, 0.125f, k.bias_quantized_dimension)),
      fb::CreateTensor(b, b.CreateVector(k.output_shape), fb::TensorType::INT8, 4, b.CreateString("output"),
                       quant(1, 1, 1.0f, 0)),
  };
  std::vector<flatbuffers::Offset<fb::OperatorCode>> codes = {
      fb::CreateOperatorCode(b, static_cast<int8_t>(std::min(k.builtin_code, 127)), 0, 1,
                             static_cast<fb::BuiltinOperator>(k.builtin_code))};
  std::vector<flatbuffers::Offset<fb::Operator>> ops = {fb::CreateOperator(
      b, k.opcode_index, b.CreateVector(std::vector<int32_t>{k.op_input, 1, 2}), b.CreateVector(std::vector<int32_t>{3}),
      fb::BuiltinOptions::FullyConnectedOptions, fb::CreateFullyConnectedOptions(b).Union())};
  for (int32_t extra : k.extra_builtin_codes) {
    codes.push_back(fb::CreateOperatorCode(b, static_cast<int8_t>(std::min(extra, 127)), 0, 1,
                                           static_cast<fb::BuiltinOperator>(extra)));
    ops.push_back(fb::CreateOperator(b, static_cast<uint32_t>(codes.size() - 1),
                                     b.CreateVector(std::vector<int32_t>{0}), b.CreateVector(std::vector<int32_t>{3})));
  }
  const std::vector<int8_t> weights(k.weight_bytes, 1);
  const std::vector<int32_t> bias = {1, 2, 3};
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers = {
      fb::CreateBuffer(b), fb::CreateBuffer(b),
      fb::CreateBuffer(b, b.CreateVector(reinterpret_cast<const uint8_t*>(weights.data()), weights.size()),
                       k.weight_buffer_offset, k.weight_buffer_offset),
      fb::CreateBuffer(b, b.CreateVector(reinterpret_cast<const uint8_t*>(bias.data()), 12)), fb::CreateBuffer(b)};
  auto subgraph = fb::CreateSubGraph(b, b.CreateVector(tensors), b.CreateVector(std::vector<int32_t>{k.subgraph_input}),
                                     b.CreateVector(std::vector<int32_t>{k.subgraph_output}), b.CreateVector(ops),
                                     b.CreateString("main"));
  auto model = fb::CreateModel(b, k.version, b.CreateVector(codes), b.CreateVector(std::vector{subgraph}),
                               b.CreateString("test"), b.CreateVector(buffers));
  fb::FinishModelBuffer(b, model);
  return std::vector<uint8_t>(b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize());
}

// Loads `bytes`, expects failure with `code` and a message containing `needle`.
void ExpectRefused(const std::vector<uint8_t>& bytes, StatusCode code, const std::string& needle) {
  auto model = Model::Load(bytes);
  ASSERT_FALSE(model.ok()) << "accepted a model that should fail with: " << needle;
  EXPECT_EQ(model.status().code(), code) << model.status().ToString();
  EXPECT_NE(model.status().message().find(needle), std::string::npos) << model.status().ToString();
}

TEST(BadModel, TheBaselineBuiltModelLoadsAndRuns) {
  auto model = Model::Load(BuildModel({}));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto exec = (*model)->CreateExecution();
  ASSERT_TRUE(exec.ok());
  (*exec)->input(0)[0] = 2;  // real 1.0
  (*exec)->input(0)[1] = 4;  // real 2.0
  ASSERT_TRUE((*exec)->Invoke().ok());
  // y_o = 0.25*(2+4) * 0.5 + bias_o*0.125 = 0.75 + {0.125, 0.25, 0.375}, output scale 1.
  EXPECT_EQ(static_cast<int8_t>((*exec)->output(0)[0]), 1);
  EXPECT_EQ(static_cast<int8_t>((*exec)->output(0)[2]), 1);
}

TEST(BadModel, OutOfRangeTensorIndex) {
  Knobs k;
  k.op_input = 17;
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "refers to tensor 17");
  k.op_input = -5;
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "refers to tensor -5");
}

TEST(BadModel, OutOfRangeSubgraphInput) {
  Knobs k;
  k.subgraph_input = 4;
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "subgraph input refers to tensor 4");
}

TEST(BadModel, OutOfRangeBufferIndex) {
  Knobs k;
  k.weight_buffer = 99;
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "refers to buffer 99");
}

TEST(BadModel, OutOfRangeOpcodeIndex) {
  Knobs k;
  k.opcode_index = 7;
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "opcode_index 7");
}

TEST(BadModel, NegativeDimension) {
  Knobs k;
  k.input_shape = {1, -2};
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "dimension -2");
  k.input_shape = {1, 0};
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "dimension 0");
}

TEST(BadModel, HugeShape) {
  Knobs k;
  k.input_shape = {65536, 65536, 65536, 2};
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "larger than");
  k.input_shape = {1, 1, 1, 1, 1, 1, 1, 1, 2};
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "rank 9");
}

// Individually plausible shapes whose activations together would need ~640 MiB per execution.
TEST(BadModel, ActivationsTooLargeForOneExecution) {
  Knobs k;
  k.input_shape = {1 << 27, 2};
  k.output_shape = {1 << 27, 3};
  ExpectRefused(BuildModel(k), StatusCode::kResourceExhausted, "run-time tensors need more than");
}

TEST(BadModel, BufferShorterThanTheTensor) {
  Knobs k;
  k.weight_bytes = 5;
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "needs 6 bytes but buffer 2 holds 5");
}

TEST(BadModel, MismatchedScaleAndZeroPointLengths) {
  Knobs k;
  k.weight_scales = 3;
  k.weight_zero_points = 2;
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "3 scales but 2 zero points");
}

TEST(BadModel, PerChannelScalesOfTheWrongCount) {
  Knobs k;
  k.weight_scales = 2;
  k.weight_zero_points = 2;
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "2 scales but dimension 0 has size 3");
}

TEST(BadModel, BiasQuantizedDimensionOutsideItsRankIsNormalised) {
  Knobs k;
  k.bias_scales = 3;
  k.bias_quantized_dimension = 3;  // as seen on real 1-D bias tensors
  auto model = Model::Load(BuildModel(k));
  EXPECT_TRUE(model.ok()) << model.status().ToString();
}

TEST(BadModel, ZeroPointOutsideTheTypeRange) {
  Knobs k;
  k.weight_zero_point = 300;
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "zero point 300 outside the range of int8");
}

TEST(BadModel, NonzeroZeroPointOnInt8Weights) {
  Knobs k;
  k.weight_zero_point = 3;
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "nonzero zero point");
}

TEST(BadModel, NotANumberOrNegativeScale) {
  Knobs k;
  k.weight_scale = std::nanf("");
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "invalid scale");
  k.weight_scale = -1.0f;
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "invalid scale");
}

TEST(BadModel, ZeroScaleOnWeights) {
  Knobs k;
  k.weight_scale = 0.0f;
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "zero or subnormal scale");
}

TEST(BadModel, BufferDataOutsideTheFlatbuffer) {
  Knobs k;
  k.weight_buffer_offset = 1u << 20;
  ExpectRefused(BuildModel(k), StatusCode::kUnimplemented, "outside the flatbuffer");
}

TEST(BadModel, OperatorReadsATensorBeforeItIsWritten) {
  Knobs k;
  k.op_input = 3;  // its own output
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "reads tensor 3 'output' before any operator writes it");
}

TEST(BadModel, ModelOutputThatIsNeverComputed) {
  Knobs k;
  k.subgraph_output = 2;  // the bias constant
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "model output tensor 2 'bias' is never computed");
}

TEST(BadModel, OutputShapeThatTheOperatorDoesNotProduce) {
  Knobs k;
  k.output_shape = {1, 4};
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "should have shape [1,3]");
}

TEST(BadModel, InputWithTheWrongDepth) {
  Knobs k;
  k.input_shape = {1, 3};
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "whole number of rows");
}

TEST(BadModel, EveryUnsupportedOperatorIsNamedInOneError) {
  Knobs k;
  k.extra_builtin_codes = {28, 16, 28};  // TANH, LSTM, TANH again
  ExpectRefused(BuildModel(k), StatusCode::kUnimplemented, "unsupported operators: TANH, LSTM");
  k.extra_builtin_codes = {150};  // GELU, only in the int32 builtin_code field
  ExpectRefused(BuildModel(k), StatusCode::kUnimplemented, "GELU");
}

TEST(BadModel, UnknownSchemaVersion) {
  Knobs k;
  k.version = 2;
  ExpectRefused(BuildModel(k), StatusCode::kInvalidArgument, "schema version 2");
}

TEST(BadModel, TooShortAndWrongIdentifier) {
  ExpectRefused({}, StatusCode::kInvalidArgument, "too short");
  ExpectRefused({1, 2, 3}, StatusCode::kInvalidArgument, "too short");
  std::vector<uint8_t> bytes = BuildModel({});
  bytes[4] = 'X';
  ExpectRefused(bytes, StatusCode::kInvalidArgument, "TFL3");
}

TEST(BadModel, TruncatedRealModelsAtEveryCutPoint) {
  for (const char* name : {"tflite-micro/hello_world_int8.tflite", "tflite-micro/simple_add_model.tflite"}) {
    const auto bytes = ReadTestFile(name);
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      auto model = Model::Load(std::span(bytes.data(), cut));
      ASSERT_FALSE(model.ok()) << name << " cut at " << cut;
      EXPECT_FALSE(model.status().message().empty());
    }
  }
}

// This file carries a zip of labels (TFLite metadata) after the flatbuffer; cutting into that
// zip leaves a complete model, which may load. Any cut into the flatbuffer itself must fail.
TEST(BadModel, TruncatedLargeModelAtManyCutPoints) {
  const auto bytes = ReadTestFile("coral/mobilenet_v1_0.25_128_quant.tflite");
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const size_t zip = text.find(std::string_view("PK\x03\x04", 4));
  ASSERT_NE(zip, std::string_view::npos);
  for (size_t cut = 0; cut < bytes.size(); cut += 4099) {
    auto model = Model::Load(std::span(bytes.data(), cut));
    if (cut < zip) {
      ASSERT_FALSE(model.ok()) << "cut at " << cut;
    } else if (model.ok()) {
      auto exec = (*model)->CreateExecution();
      ASSERT_TRUE(exec.ok());
      EXPECT_TRUE((*exec)->Invoke().ok());
    }
  }
}

TEST(BadModel, RandomBytes) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<uint8_t> bytes(8 + rng() % 512);
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    if (trial % 2 == 0) std::memcpy(bytes.data() + 4, "TFL3", 4);  // get past the identifier check
    auto model = Model::Load(bytes);
    ASSERT_FALSE(model.ok());
    EXPECT_FALSE(model.status().message().empty());
  }
}

// Flipping any single byte of a real model either still loads (e.g. a weight changed) or is
// refused with an error; nothing crashes and whatever loads also runs.
TEST(BadModel, EverySingleByteFlipOfARealModel) {
  const auto original = ReadTestFile("tflite-micro/hello_world_int8.tflite");
  size_t refused = 0;
  for (size_t i = 0; i < original.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      auto bytes = original;
      bytes[i] ^= mask;
      auto model = Model::Load(bytes);
      if (!model.ok()) {
        ++refused;
        EXPECT_FALSE(model.status().message().empty());
        continue;
      }
      auto exec = (*model)->CreateExecution();
      ASSERT_TRUE(exec.ok());
      for (auto& b : (*exec)->input(0)) b = 3;
      EXPECT_TRUE((*exec)->Invoke().ok());
    }
  }
  EXPECT_GT(refused, original.size() / 10);
  std::printf("single-byte flips: %zu of %zu refused\n", refused, original.size() * 3);
}

TEST(BadModel, RandomMultiByteCorruptionOfALargeModel) {
  const auto original = ReadTestFile("coral/mobilenet_v1_0.25_128_quant.tflite");
  std::mt19937 rng(99);
  // Corrupt the flatbuffer's tables and vectors (they sit at the start and end of the file; the
  // middle is mostly weights).
  for (int trial = 0; trial < 200; ++trial) {
    auto bytes = original;
    for (int f = 0; f < 4; ++f) {
      const size_t region = rng() % 2 == 0 ? rng() % 4096 : bytes.size() - 1 - rng() % 8192;
      bytes[region] = static_cast<uint8_t>(rng());
    }
    auto model = Model::Load(bytes);
    if (model.ok()) {
      auto exec = (*model)->CreateExecution();
      ASSERT_TRUE(exec.ok());
      EXPECT_TRUE((*exec)->Invoke().ok());
    } else {
      EXPECT_FALSE(model.status().message().empty());
    }
  }
}

}  // namespace
}  // namespace s3ml::engine
