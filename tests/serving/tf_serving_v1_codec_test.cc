#include "serving/tf_serving_v1_codec.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/serving/test_models.h"

namespace s3ml::serving {
namespace {

using nlohmann::json;
using testing::Bytes;
using testing::Info;
using testing::Payload;

const ValidationOptions kBatching{.allow_batch_dim = true, .max_batch_size = 8};

void ExpectError(const Result<V1PredictRequest>& result, const std::string& needle) {
  ASSERT_FALSE(result.ok()) << "expected an error containing: " << needle;
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find(needle), std::string::npos) << result.status().message();
}

TEST(TfServingV1CodecTest, RowFormatForASingleInputModel) {
  Result<V1PredictRequest> request = ParseV1PredictRequest(
      R"({"signature_name":"serving_default","instances":[[[[1],[2]],[[3],[4]]],[[[5],[6]],[[7],[8]]]]})",
      testing::ClassifierInputs(), kBatching);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->format, V1Format::kRow);
  ASSERT_EQ(request->inputs.size(), 1u);
  EXPECT_EQ(request->inputs[0].shape, (std::vector<int64_t>{2, 2, 2, 1}));
  EXPECT_EQ(request->inputs[0].data, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(TfServingV1CodecTest, RowFormatWithNamedInputs) {
  Result<V1PredictRequest> request = ParseV1PredictRequest(
      R"({"instances":[{"k":[3],"x":[1.0,2.0]},{"x":[3.0,4.0],"k":[-1]}]})", testing::TwoInputs(),
      kBatching);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->inputs[0].name, "x");
  EXPECT_EQ(request->inputs[0].shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(request->inputs[0].data, Bytes<float>({1, 2, 3, 4}));
  EXPECT_EQ(request->inputs[1].data, Bytes<int32_t>({3, -1}));
}

TEST(TfServingV1CodecTest, ColumnarFormat) {
  Result<V1PredictRequest> request = ParseV1PredictRequest(
      R"({"inputs":{"x":[[1.5,2.5]],"k":[[9]]}})", testing::TwoInputs(), {});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->format, V1Format::kColumnar);
  EXPECT_EQ(request->inputs[0].data, Bytes<float>({1.5f, 2.5f}));
  EXPECT_EQ(request->inputs[1].shape, (std::vector<int64_t>{1, 1}));
  Result<V1PredictRequest> single =
      ParseV1PredictRequest(R"({"inputs":[[[[1],[2]],[[3],[4]]]]})", testing::ClassifierInputs(), {});
  ASSERT_TRUE(single.ok()) << single.status().ToString();
  EXPECT_EQ(single->inputs[0].shape, (std::vector<int64_t>{1, 2, 2, 1}));
}

TEST(TfServingV1CodecTest, RefusesMalformedRequests) {
  const auto model = testing::TwoInputs();
  ExpectError(ParseV1PredictRequest("{", model, {}), "malformed JSON");
  ExpectError(ParseV1PredictRequest("[]", model, {}), "not a JSON object");
  ExpectError(ParseV1PredictRequest("{}", model, {}), "exactly one of \"instances\" and \"inputs\"");
  ExpectError(ParseV1PredictRequest(R"({"instances":[],"inputs":{}})", model, {}), "exactly one of");
  ExpectError(ParseV1PredictRequest(R"({"signature_name":"other","inputs":{}})", model, {}),
              "signature \"other\" does not exist");
  ExpectError(ParseV1PredictRequest(R"({"instances":[]})", model, {}), "non-empty array");
  ExpectError(ParseV1PredictRequest(R"({"instances":[[1,2]]})", model, {}),
              "instance 0 must be an object keyed by input name");
  ExpectError(ParseV1PredictRequest(R"({"inputs":[[1,2]]})", model, {}),
              "\"inputs\" must be an object keyed by input name");
}

TEST(TfServingV1CodecTest, RefusesInputsThatDisagreeWithTheModel) {
  const auto model = testing::TwoInputs();
  ExpectError(ParseV1PredictRequest(R"({"instances":[{"x":[1,2]}]})", model, kBatching),
              "input \"k\" is missing from instance 0");
  ExpectError(ParseV1PredictRequest(R"({"instances":[{"x":[1,2],"q":[1]}]})", model, kBatching),
              "input \"q\" is not an input of the model");
  ExpectError(ParseV1PredictRequest(R"({"instances":[{"x":[1,2],"k":[1]},{"x":[1,2,3],"k":[1]}]})", model,
                                    kBatching),
              "input \"x\" of instance 1: shape [3] differs from instance 0's");
  ExpectError(ParseV1PredictRequest(R"({"instances":[{"x":[1,2],"k":[1.5]}]})", model, kBatching),
              "is not an integer");
  ExpectError(ParseV1PredictRequest(R"({"instances":[{"x":[1,"NaN"],"k":[1]}]})", model, kBatching),
              "is not a number");
  ExpectError(ParseV1PredictRequest(R"({"inputs":{"x":[[1,2]]}})", model, {}), "input \"k\" is missing");
  ExpectError(ParseV1PredictRequest(R"({"inputs":{"x":[[1,2,3]],"k":[[1]]}})", model, {}),
              "does not match the model's [1,2]");
  ExpectError(ParseV1PredictRequest(R"({"inputs":{"x":[[1,2]],"k":[[3000000000]]}})", model, {}),
              "out of range for INT32");
  ExpectError(ParseV1PredictRequest(R"({"instances":[[[[1],[2]],[[3],[4]]],[[[5],[6]],[[7],[8]]]]})",
                                    testing::ClassifierInputs(), {}),
              "(dim 0)");
  ExpectError(ParseV1PredictRequest(R"({"instances":[{"x":{"a":1},"k":[1]}]})", model, kBatching),
              "value is an object");
}

TEST(TfServingV1CodecTest, RowFormatNeedsABatchDim) {
  std::vector<engine::TensorInfo> scalar = {Info("s", engine::DataType::kFloat32, {})};
  ExpectError(ParseV1PredictRequest(R"({"instances":[1.0]})", scalar, {}), "is a scalar");
  EXPECT_TRUE(ParseV1PredictRequest(R"({"inputs":1.0})", scalar, {}).ok());
}

TEST(TfServingV1CodecTest, EncodesPredictionsPerExample) {
  std::vector<TensorPayload> one = {
      Payload("scores", Datatype::kFp32, {2, 2}, Bytes<float>({0.5f, 0.25f, 1.0f, 2.0f}))};
  EXPECT_EQ(json::parse(*EncodeV1PredictResponse(V1Format::kRow, one)),
            json::parse(R"({"predictions":[[0.5,0.25],[1.0,2.0]]})"));
  std::vector<TensorPayload> two = one;
  two.push_back(Payload("label", Datatype::kInt64, {2}, Bytes<int64_t>({7, 8})));
  EXPECT_EQ(json::parse(*EncodeV1PredictResponse(V1Format::kRow, two)),
            json::parse(R"({"predictions":[{"scores":[0.5,0.25],"label":7},{"scores":[1.0,2.0],"label":8}]})"));
  EXPECT_EQ(json::parse(*EncodeV1PredictResponse(V1Format::kColumnar, one)),
            json::parse(R"({"outputs":[[0.5,0.25],[1.0,2.0]]})"));
  EXPECT_EQ(json::parse(*EncodeV1PredictResponse(V1Format::kColumnar, two)),
            json::parse(R"({"outputs":{"scores":[[0.5,0.25],[1.0,2.0]],"label":[7,8]}})"));
  two[1].shape = {3};
  two[1].data = Bytes<int64_t>({1, 2, 3});
  Result<std::string> mismatched = EncodeV1PredictResponse(V1Format::kRow, two);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(mismatched.status().code(), StatusCode::kInternal);
}

TEST(TfServingV1CodecTest, StatusAndMetadataDocuments) {
  EXPECT_EQ(json::parse(V1ModelStatusJson({3})), json::parse(R"({"model_version_status":[{"version":"3",
      "state":"AVAILABLE","status":{"error_code":"OK","error_message":""}}]})"));
  json metadata = json::parse(
      V1ModelMetadataJson("mnist", 3, testing::ClassifierInputs(), testing::ClassifierOutputs()));
  EXPECT_EQ(metadata["model_spec"]["name"], "mnist");
  EXPECT_EQ(metadata["model_spec"]["version"], "3");
  const json& signature = metadata["metadata"]["signature_def"]["signature_def"]["serving_default"];
  EXPECT_EQ(signature["inputs"]["image"]["dtype"], "DT_UINT8");
  EXPECT_EQ(signature["inputs"]["image"]["tensor_shape"]["dim"][1]["size"], "2");
  EXPECT_EQ(signature["outputs"]["scores"]["dtype"], "DT_FLOAT");
  EXPECT_EQ(signature["method_name"], "tensorflow/serving/predict");
}

}  // namespace
}  // namespace s3ml::serving
