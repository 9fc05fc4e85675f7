// Wire compatibility of the client's KServe v2 codec (client/v2_tensor.h) with the server's
// (serving/kserve_v2_request.h, kserve_v2_response.h): what one side writes the other reads,
// for binary and JSON tensors, and the metadata document.
#include <gtest/gtest.h>

#include <cstring>

#include "client/top_k.h"
#include "client/v2_tensor.h"
#include "serving/kserve_v2_request.h"
#include "serving/kserve_v2_response.h"

namespace s3ml::client {
namespace {

std::vector<engine::TensorInfo> Inputs() {
  engine::TensorInfo input;
  input.name = "input";
  input.type = engine::DataType::kUInt8;
  input.shape = {1, 2, 2, 3};
  return {input};
}

std::vector<engine::TensorInfo> Outputs() {
  engine::TensorInfo output;
  output.name = "scores";
  output.type = engine::DataType::kFloat32;
  output.shape = {1, 3};
  return {output};
}

void RoundTrip(TensorEncoding encoding) {
  V2InferCall call;
  call.id = "42";
  call.encoding = encoding;
  std::vector<uint8_t> pixels(12);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 20);
  call.inputs.push_back({"input", "UINT8", {1, 2, 2, 3}, pixels});
  call.outputs = {"scores"};
  auto encoded = EncodeV2InferRequest(call);
  ASSERT_TRUE(encoded.ok());

  std::span<const uint8_t> body(reinterpret_cast<const uint8_t*>(encoded->body.data()), encoded->body.size());
  auto parsed = serving::ParseV2InferRequest(body, encoded->json_header_length, Inputs(), Outputs(), {});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->inputs.size(), 1u);
  EXPECT_EQ(parsed->inputs[0].data, pixels);
  EXPECT_EQ(parsed->id, "42");

  serving::TensorPayload scores{"scores", serving::Datatype::kFp32, {1, 3}, std::vector<uint8_t>(12)};
  const float values[3] = {0.5f, 2.0f, -1.0f};
  std::memcpy(scores.data.data(), values, 12);
  auto response = serving::EncodeV2InferResponse("m", "3", *parsed, {scores});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->json_header_length.has_value(), encoding == TensorEncoding::kBinary);
  std::optional<std::string> header;
  if (response->json_header_length) header = std::to_string(*response->json_header_length);
  auto decoded = DecodeV2InferResponse(response->body, header ? std::optional<std::string_view>(*header) : std::nullopt);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->model_name, "m");
  EXPECT_EQ(decoded->model_version, "3");
  ASSERT_EQ(decoded->outputs.size(), 1u);
  EXPECT_EQ(decoded->outputs[0].data, scores.data);
  EXPECT_EQ(decoded->outputs[0].shape, scores.shape);
}

TEST(ServingInteropTest, BinaryTensorsRoundTripThroughTheServersCodec) { RoundTrip(TensorEncoding::kBinary); }
TEST(ServingInteropTest, JsonTensorsRoundTripThroughTheServersCodec) { RoundTrip(TensorEncoding::kJson); }

TEST(ServingInteropTest, ServerMetadataParses) {
  auto m = ParseV2ModelMetadata(serving::V2ModelMetadataJson("m", {"1", "2"}, Inputs(), Outputs(), true));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->inputs.size(), 1u);
  EXPECT_EQ(m->inputs[0].shape, (std::vector<int64_t>{-1, 2, 2, 3}));
  auto info = ToTensorInfo(m->inputs[0]);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->shape, Inputs()[0].shape);
  EXPECT_EQ(info->type, engine::DataType::kUInt8);
}

// A quantized classifier (uint8 in, uint8 out): the server's metadata carries each tensor's
// quantization and the client turns raw output bytes into real scores with it (what
// `s3ml predict` prints), rather than showing the uint8 values.
TEST(ServingInteropTest, QuantizationInMetadataReachesTheClient) {
  std::vector<engine::TensorInfo> inputs = Inputs();
  inputs[0].quantization.scales = {0.0078125f};
  inputs[0].quantization.zero_points = {128};
  engine::TensorInfo output;
  output.name = "scores";
  output.type = engine::DataType::kUInt8;
  output.shape = {1, 3};
  output.quantization.scales = {0.00390625f};
  output.quantization.zero_points = {10};
  auto m = ParseV2ModelMetadata(serving::V2ModelMetadataJson("m", {"1"}, inputs, {output}, false));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->inputs.size(), 1u);
  ASSERT_TRUE(m->inputs[0].quantization.has_value());
  EXPECT_EQ(m->inputs[0].quantization->first, 0.0078125f);
  EXPECT_EQ(m->inputs[0].quantization->second, 128);
  ASSERT_EQ(m->outputs.size(), 1u);
  auto info = ToTensorInfo(m->outputs[0]);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->quantization.scales, std::vector<float>{0.00390625f});
  EXPECT_EQ(info->quantization.zero_points, std::vector<int64_t>{10});
  const std::vector<uint8_t> raw = {10, 138, 255};
  auto scores = DequantizeOutput(*info, raw);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  EXPECT_EQ(*scores, (std::vector<float>{0.0f, 0.5f, 0.95703125f}));
  // Without quantization the metadata says nothing and the client keeps raw values.
  auto plain = ParseV2ModelMetadata(serving::V2ModelMetadataJson("m", {"1"}, Inputs(), Outputs(), false));
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->inputs[0].quantization.has_value());
  EXPECT_FALSE(plain->outputs[0].quantization.has_value());
}

}  // namespace
}  // namespace s3ml::client
