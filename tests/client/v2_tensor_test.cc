#include "client/v2_tensor.h"

#include <gtest/gtest.h>

#include <cstring>

#include <nlohmann/json.hpp>

namespace s3ml::client {
namespace {

std::vector<uint8_t> Floats(std::initializer_list<float> values) {
  std::vector<uint8_t> out(values.size() * 4);
  std::memcpy(out.data(), std::data(values), out.size());
  return out;
}

V2InferCall Call(TensorEncoding encoding) {
  V2InferCall call;
  call.id = "r1";
  call.encoding = encoding;
  call.inputs.push_back({"input", "UINT8", {1, 2, 2, 1}, {1, 2, 3, 250}});
  call.outputs = {"scores"};
  return call;
}

TEST(V2TensorTest, BinaryRequestIsJsonHeaderThenRawBytes) {
  auto encoded = EncodeV2InferRequest(Call(TensorEncoding::kBinary));
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  ASSERT_TRUE(encoded->json_header_length.has_value());
  const size_t n = *encoded->json_header_length;
  ASSERT_EQ(encoded->body.size(), n + 4);
  EXPECT_EQ(encoded->body.substr(n), std::string("\x01\x02\x03\xfa", 4));
  auto header = nlohmann::json::parse(encoded->body.substr(0, n));
  EXPECT_EQ(header["id"], "r1");
  EXPECT_EQ(header["inputs"][0]["name"], "input");
  EXPECT_EQ(header["inputs"][0]["datatype"], "UINT8");
  EXPECT_EQ(header["inputs"][0]["shape"], nlohmann::json({1, 2, 2, 1}));
  EXPECT_EQ(header["inputs"][0]["parameters"]["binary_data_size"], 4);
  EXPECT_FALSE(header["inputs"][0].contains("data"));
  EXPECT_EQ(header["outputs"][0]["parameters"]["binary_data"], true);
  EXPECT_EQ(header["parameters"]["binary_data_output"], true);
}

TEST(V2TensorTest, JsonRequestCarriesFlatData) {
  auto encoded = EncodeV2InferRequest(Call(TensorEncoding::kJson));
  ASSERT_TRUE(encoded.ok());
  EXPECT_FALSE(encoded->json_header_length.has_value());
  auto j = nlohmann::json::parse(encoded->body);
  EXPECT_EQ(j["inputs"][0]["data"], nlohmann::json({1, 2, 3, 250}));
  EXPECT_FALSE(j.contains("parameters"));
}

TEST(V2TensorTest, RequestWithWrongDataSizeIsRefused) {
  V2InferCall call = Call(TensorEncoding::kBinary);
  call.inputs[0].data.pop_back();
  EXPECT_EQ(EncodeV2InferRequest(call).status().code(), StatusCode::kInvalidArgument);
  call = Call(TensorEncoding::kBinary);
  call.inputs[0].datatype = "FP16";
  EXPECT_EQ(EncodeV2InferRequest(call).status().code(), StatusCode::kInvalidArgument);
}

std::string BinaryResponse(const std::vector<uint8_t>& data, const std::string& datatype, std::vector<int64_t> shape,
                           size_t* header_size) {
  nlohmann::json j = {{"model_name", "m"},
                      {"model_version", "2"},
                      {"outputs", {{{"name", "scores"}, {"datatype", datatype}, {"shape", shape},
                                    {"parameters", {{"binary_data_size", data.size()}}}}}}};
  std::string body = j.dump();
  *header_size = body.size();
  body.append(data.begin(), data.end());
  return body;
}

TEST(V2TensorTest, DecodesBinaryAndJsonResponses) {
  size_t n = 0;
  const auto floats = Floats({0.25f, -1.5f, 3.0f});
  std::string body = BinaryResponse(floats, "FP32", {1, 3}, &n);
  auto binary = DecodeV2InferResponse(body, std::to_string(n));
  ASSERT_TRUE(binary.ok()) << binary.status().ToString();
  EXPECT_EQ(binary->model_name, "m");
  EXPECT_EQ(binary->model_version, "2");
  ASSERT_EQ(binary->outputs.size(), 1u);
  EXPECT_EQ(binary->outputs[0].data, floats);
  EXPECT_EQ(binary->outputs[0].shape, (std::vector<int64_t>{1, 3}));

  const std::string json = R"({"outputs": [{"name": "s", "datatype": "FP32", "shape": [1, 3], "data": [[0.25, -1.5, 3]]},
                                           {"name": "i", "datatype": "INT8", "shape": [2], "data": [-128, 127]}]})";
  auto decoded = DecodeV2InferResponse(json, std::nullopt);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->outputs[0].data, floats);
  EXPECT_EQ(decoded->outputs[1].data, (std::vector<uint8_t>{0x80, 0x7f}));
}

TEST(V2TensorTest, DecodesBytesOutputsInBothEncodingsAndAsksForClassification) {
  size_t n = 0;
  const std::vector<uint8_t> elements = {3, 0, 0, 0, '1', ':', '2', 0, 0, 0, 0};
  const std::string body = BinaryResponse(elements, "BYTES", {1, 2}, &n);
  auto binary = DecodeV2InferResponse(body, std::to_string(n));
  ASSERT_TRUE(binary.ok()) << binary.status().ToString();
  ASSERT_EQ(binary->outputs.size(), 1u);
  EXPECT_EQ(binary->outputs[0].strings, (std::vector<std::string>{"1:2", ""}));
  EXPECT_TRUE(binary->outputs[0].data.empty());
  auto json = DecodeV2InferResponse(
      R"({"outputs": [{"name": "s", "datatype": "BYTES", "shape": [1, 2], "data": ["200:1:cat", "9:0"]}]})",
      std::nullopt);
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ(json->outputs[0].strings, (std::vector<std::string>{"200:1:cat", "9:0"}));

  V2InferCall call = Call(TensorEncoding::kBinary);
  call.classification = 3;
  auto encoded = EncodeV2InferRequest(call);
  ASSERT_TRUE(encoded.ok());
  const auto header = nlohmann::json::parse(encoded->body.substr(0, *encoded->json_header_length));
  EXPECT_EQ(header["outputs"][0]["parameters"]["classification"], 3);
  EXPECT_EQ(header["outputs"][0]["parameters"]["binary_data"], true);
  call.outputs.clear();
  EXPECT_EQ(EncodeV2InferRequest(call).status().code(), StatusCode::kInvalidArgument);
}

TEST(V2TensorTest, MalformedResponsesAreInvalidArgument) {
  size_t n = 0, bytes_n = 0;
  const std::string bytes_good = BinaryResponse({1, 0, 0, 0, 'a'}, "BYTES", {1}, &bytes_n);
  const std::string good = BinaryResponse({1, 2, 3}, "UINT8", {3}, &n);
  struct Case {
    std::string body;
    std::optional<std::string> header;
  };
  const Case cases[] = {
      {good, std::to_string(good.size() + 1)},                     // header length past the end
      {good + "x", std::to_string(n)},                             // bytes after the last output
      {good.substr(0, good.size() - 1), std::to_string(n)},        // truncated binary data
      {good, std::nullopt},                                        // binary data without the header
      {good, "12x"},                                               // malformed header value
      {BinaryResponse({1, 2, 3}, "UINT8", {4}, &n), std::to_string(n)},   // size != shape
      {BinaryResponse({1, 2, 3}, "FP16", {3}, &n), std::to_string(n)},    // unsupported datatype
      {bytes_good.substr(0, bytes_good.size() - 1), std::to_string(bytes_n)},  // BYTES past the body's end
      {BinaryResponse({1, 2, 3}, "BYTES", {1}, &n), std::to_string(n)},   // BYTES without its length
      {BinaryResponse({5, 0, 0, 0, 'a'}, "BYTES", {1}, &n), std::to_string(n)},           // longer than the data
      {BinaryResponse({1, 0, 0, 0, 'a', 0, 0, 0, 0}, "BYTES", {1}, &n), std::to_string(n)},  // more than the shape
      {BinaryResponse({1, 0, 0, 0, 'a'}, "BYTES", {2}, &n), std::to_string(n)},           // fewer than the shape
      {R"({"outputs": [{"name": "s", "datatype": "BYTES", "shape": [2], "data": ["a"]}]})", std::nullopt},
      {R"({"outputs": [{"name": "s", "datatype": "BYTES", "shape": [1], "data": [7]}]})", std::nullopt},
      {R"({"outputs": [{"name": "s", "datatype": "BYTES", "shape": [1], "data": [["a"]]}]})", std::nullopt},
      {BinaryResponse({1, 2, 3}, "UINT8", {-3}, &n), std::to_string(n)},  // negative dimension
      {R"({"outputs": [{"name": "s", "datatype": "UINT8", "shape": [2], "data": [1, 256]}]})", std::nullopt},
      {R"({"outputs": [{"name": "s", "datatype": "UINT8", "shape": [2], "data": [1]}]})", std::nullopt},
      {R"({"outputs": [{"name": "s", "datatype": "UINT8", "shape": [2], "data": [1, 2, 3]}]})", std::nullopt},
      {R"({"outputs": [{"name": "s", "datatype": "UINT8", "shape": [1]}]})", std::nullopt},
      {R"({"outputs": [{"name": "s", "datatype": "BOOL", "shape": [1], "data": [1]}]})", std::nullopt},
      {R"({"outputs": [{"name": "s", "datatype": "UINT8", "shape": [4294967296, 4294967296], "data": []}]})", std::nullopt},
      {R"({"outputs": {}})", std::nullopt},
      {"not json", std::nullopt},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    std::optional<std::string_view> header;
    if (cases[i].header) header = *cases[i].header;
    auto r = DecodeV2InferResponse(cases[i].body, header);
    ASSERT_FALSE(r.ok()) << "case " << i;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << "case " << i << ": " << r.status().ToString();
  }
}

TEST(V2TensorTest, ParsesModelMetadataAndMapsItToTensorInfo) {
  const std::string json = R"({"name": "mobilenet_v2", "versions": ["1", "2"], "platform": "tflite",
    "inputs": [{"name": "input", "datatype": "UINT8", "shape": [-1, 224, 224, 3]}],
    "outputs": [{"name": "scores", "datatype": "UINT8", "shape": [-1, 1001],
                 "parameters": {"quantization": {"scale": 0.00390625, "zero_point": 0}}}]})";
  auto m = ParseV2ModelMetadata(json);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->name, "mobilenet_v2");
  EXPECT_EQ(m->versions, (std::vector<std::string>{"1", "2"}));
  auto input = ToTensorInfo(m->inputs[0]);
  ASSERT_TRUE(input.ok());
  EXPECT_EQ(input->type, engine::DataType::kUInt8);
  EXPECT_EQ(input->shape, (std::vector<int32_t>{1, 224, 224, 3}));
  auto output = ToTensorInfo(m->outputs[0]);
  ASSERT_TRUE(output.ok());
  ASSERT_TRUE(output->quantization.quantized());
  EXPECT_FLOAT_EQ(output->quantization.scales[0], 0.00390625f);

  for (const char* bad : {"{}", R"({"name": "m", "inputs": [], "outputs": 3})",
                          R"({"name": "m", "inputs": [{"name": "x", "datatype": "UINT8", "shape": [-2]}], "outputs": []})",
                          R"({"name": "m", "inputs": [{"name": "x", "shape": [1]}], "outputs": []})"}) {
    EXPECT_EQ(ParseV2ModelMetadata(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace s3ml::client
