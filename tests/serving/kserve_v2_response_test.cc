#include "serving/kserve_v2_response.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/serving/test_models.h"

namespace s3ml::serving {
namespace {

using nlohmann::json;
using testing::Bytes;
using testing::Payload;

std::vector<TensorPayload> Outputs() {
  return {Payload("scores", Datatype::kFp32, {1, 3}, Bytes<float>({0.25f, 0.5f, 0.125f})),
          Payload("label", Datatype::kInt32, {1}, Bytes<int32_t>({2}))};
}

TEST(KserveV2ResponseTest, EncodesAllOutputsAsJsonByDefault) {
  V2InferRequest request;
  request.id = "abc";
  Result<EncodedBody> encoded = EncodeV2InferResponse("mnist", "3", request, Outputs());
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  EXPECT_FALSE(encoded->json_header_length.has_value());
  EXPECT_EQ(encoded->content_type, "application/json");
  json body = json::parse(encoded->body);
  EXPECT_EQ(body["model_name"], "mnist");
  EXPECT_EQ(body["model_version"], "3");
  EXPECT_EQ(body["id"], "abc");
  ASSERT_EQ(body["outputs"].size(), 2u);
  EXPECT_EQ(body["outputs"][0]["name"], "scores");
  EXPECT_EQ(body["outputs"][0]["datatype"], "FP32");
  EXPECT_EQ(body["outputs"][0]["shape"], json::parse("[1,3]"));
  EXPECT_EQ(body["outputs"][0]["data"], json::parse("[0.25,0.5,0.125]"));
  EXPECT_EQ(body["outputs"][1]["data"], json::parse("[2]"));
}

TEST(KserveV2ResponseTest, OmitsAbsentIdAndReturnsOnlyRequestedOutputs) {
  V2InferRequest request;
  request.outputs = {{"label", false}};
  Result<EncodedBody> encoded = EncodeV2InferResponse("m", "1", request, Outputs());
  ASSERT_TRUE(encoded.ok());
  json body = json::parse(encoded->body);
  EXPECT_FALSE(body.contains("id"));
  ASSERT_EQ(body["outputs"].size(), 1u);
  EXPECT_EQ(body["outputs"][0]["name"], "label");
}

TEST(KserveV2ResponseTest, EncodesBinaryOutputsAfterTheJsonHeader) {
  V2InferRequest request;
  request.outputs = {{"scores", true}, {"label", false}};
  Result<EncodedBody> encoded = EncodeV2InferResponse("m", "1", request, Outputs());
  ASSERT_TRUE(encoded.ok());
  ASSERT_TRUE(encoded->json_header_length.has_value());
  EXPECT_EQ(encoded->content_type, "application/octet-stream");
  const size_t n = *encoded->json_header_length;
  json header = json::parse(encoded->body.substr(0, n));
  EXPECT_EQ(header["outputs"][0]["parameters"]["binary_data_size"], 12);
  EXPECT_FALSE(header["outputs"][0].contains("data"));
  EXPECT_EQ(header["outputs"][1]["data"], json::parse("[2]"));
  std::string tail = encoded->body.substr(n);
  std::vector<uint8_t> scores = Bytes<float>({0.25f, 0.5f, 0.125f});
  EXPECT_EQ(std::vector<uint8_t>(tail.begin(), tail.end()), scores);
}

TEST(KserveV2ResponseTest, BinaryDataOutputMakesEveryOutputBinary) {
  V2InferRequest request;
  request.binary_data_output = true;
  Result<EncodedBody> encoded = EncodeV2InferResponse("m", "1", request, Outputs());
  ASSERT_TRUE(encoded.ok());
  ASSERT_TRUE(encoded->json_header_length.has_value());
  EXPECT_EQ(encoded->body.size(), *encoded->json_header_length + 12 + 4);
}

TEST(KserveV2ResponseTest, MissingOrInconsistentOutputsAreInternalErrors) {
  V2InferRequest request;
  request.outputs = {{"nope", false}};
  Result<EncodedBody> missing = EncodeV2InferResponse("m", "1", request, Outputs());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInternal);
  std::vector<TensorPayload> bad = Outputs();
  bad[0].data.pop_back();
  Result<EncodedBody> short_data = EncodeV2InferResponse("m", "1", V2InferRequest{}, bad);
  ASSERT_FALSE(short_data.ok());
  EXPECT_NE(short_data.status().message().find("output \"scores\""), std::string::npos);
}

TEST(KserveV2ResponseTest, ModelAndServerMetadata) {
  json model = json::parse(V2ModelMetadataJson("mnist", {"1", "2"}, testing::ClassifierInputs(),
                                               testing::ClassifierOutputs(), false));
  EXPECT_EQ(model, json::parse(R"({"name":"mnist","versions":["1","2"],"platform":"tflite",
      "inputs":[{"name":"image","datatype":"UINT8","shape":[1,2,2,1]}],
      "outputs":[{"name":"scores","datatype":"FP32","shape":[1,3]}]})"));
  json batched = json::parse(V2ModelMetadataJson("mnist", {"1"}, testing::ClassifierInputs(),
                                                 testing::ClassifierOutputs(), true));
  EXPECT_EQ(batched["inputs"][0]["shape"], json::parse("[-1,2,2,1]"));
  json server = json::parse(V2ServerMetadataJson("s3ml", "0.1.0", {"binary_tensor_data"}));
  EXPECT_EQ(server, json::parse(R"({"name":"s3ml","version":"0.1.0","extensions":["binary_tensor_data"]})"));
}

TEST(KserveV2ResponseTest, ModelMetadataReportsPerTensorQuantization) {
  std::vector<engine::TensorInfo> inputs = testing::ClassifierInputs();
  inputs[0].quantization.scales = {0.0078125f};
  inputs[0].quantization.zero_points = {128};
  std::vector<engine::TensorInfo> outputs = {testing::Info("scores", engine::DataType::kUInt8, {1, 3}),
                                             testing::Info("per_channel", engine::DataType::kInt8, {1, 2}),
                                             testing::Info("no_zero_point", engine::DataType::kUInt8, {1, 1}),
                                             testing::Info("zero_scale", engine::DataType::kUInt8, {1, 1})};
  outputs[0].quantization.scales = {0.00390625f};
  outputs[0].quantization.zero_points = {0};
  outputs[1].quantization.scales = {0.5f, 0.25f};  // per channel: no single scale to report
  outputs[1].quantization.zero_points = {0, 0};
  outputs[1].quantization.dimension = 1;
  outputs[2].quantization.scales = {2.0f};
  outputs[3].quantization.scales = {0.0f};  // a client would refuse it: not reported
  json model = json::parse(V2ModelMetadataJson("m", {"1"}, inputs, outputs, false));
  EXPECT_EQ(model["inputs"][0]["parameters"],
            json::parse(R"({"quantization":{"scale":0.0078125,"zero_point":128}})"));
  EXPECT_EQ(model["outputs"][0]["parameters"],
            json::parse(R"({"quantization":{"scale":0.00390625,"zero_point":0}})"));
  EXPECT_FALSE(model["outputs"][1].contains("parameters"));
  EXPECT_EQ(model["outputs"][2]["parameters"]["quantization"]["zero_point"], 0);
  EXPECT_EQ(model["outputs"][2]["parameters"]["quantization"]["scale"], 2.0);
  EXPECT_FALSE(model["outputs"][3].contains("parameters"));
  // Unquantized tensors stay as before (no parameters member).
  json plain = json::parse(V2ModelMetadataJson("m", {"1"}, testing::ClassifierInputs(), testing::ClassifierOutputs(), false));
  EXPECT_FALSE(plain["inputs"][0].contains("parameters"));
  EXPECT_FALSE(plain["outputs"][0].contains("parameters"));
}

}  // namespace
}  // namespace s3ml::serving
