#include "serving/kserve_v2_request.h"

#include <gtest/gtest.h>

#include "core/byte_reader.h"
#include "tests/serving/test_models.h"

namespace s3ml::serving {
namespace {

using testing::Bytes;

Result<V2InferRequest> ParseJson(const std::string& body, const ValidationOptions& options = {}) {
  return ParseV2InferRequest(AsBytes(body), std::nullopt, testing::ClassifierInputs(),
                             testing::ClassifierOutputs(), options);
}

Result<V2InferRequest> ParseBinary(const std::string& header, const std::vector<uint8_t>& binary,
                                   std::optional<size_t> header_length = std::nullopt) {
  std::vector<uint8_t> body(header.begin(), header.end());
  body.insert(body.end(), binary.begin(), binary.end());
  return ParseV2InferRequest(body, header_length.value_or(header.size()), testing::ClassifierInputs(),
                             testing::ClassifierOutputs(), {});
}

void ExpectError(const Result<V2InferRequest>& result, const std::string& needle,
                 StatusCode code = StatusCode::kInvalidArgument) {
  ASSERT_FALSE(result.ok()) << "expected an error containing: " << needle;
  EXPECT_EQ(result.status().code(), code) << result.status().ToString();
  EXPECT_NE(result.status().message().find(needle), std::string::npos) << result.status().message();
}

const char* kImageInput = R"({"name":"image","shape":[1,2,2,1],"datatype":"UINT8","data":[1,2,3,4]})";

std::string Request(const std::string& inputs, const std::string& extra = "") {
  return R"({"id":"req-1",)" + extra + R"("inputs":[)" + inputs + "]}";
}

TEST(KserveV2RequestTest, ParsesFlatJsonRequest) {
  Result<V2InferRequest> request = ParseJson(Request(kImageInput));
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->id, "req-1");
  ASSERT_EQ(request->inputs.size(), 1u);
  EXPECT_EQ(request->inputs[0].name, "image");
  EXPECT_EQ(request->inputs[0].datatype, Datatype::kUInt8);
  EXPECT_EQ(request->inputs[0].shape, (std::vector<int64_t>{1, 2, 2, 1}));
  EXPECT_EQ(request->inputs[0].data, (std::vector<uint8_t>{1, 2, 3, 4}));
  EXPECT_TRUE(request->outputs.empty());
  EXPECT_FALSE(request->binary_data_output);
}

TEST(KserveV2RequestTest, ParsesNestedDataMatchingTheShape) {
  Result<V2InferRequest> request = ParseJson(Request(
      R"({"name":"image","shape":[1,2,2,1],"datatype":"UINT8","data":[[[[1],[2]],[[3],[4]]]]})"));
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->inputs[0].data, (std::vector<uint8_t>{1, 2, 3, 4}));
  ExpectError(ParseJson(Request(
                  R"({"name":"image","shape":[1,2,2,1],"datatype":"UINT8","data":[[1,2],[3,4]]})")),
              "nested as [2,2] but \"shape\" is [1,2,2,1]");
}

TEST(KserveV2RequestTest, ParsesRequestedOutputsAndParameters) {
  Result<V2InferRequest> request = ParseJson(
      Request(kImageInput, R"("parameters":{"binary_data_output":true},)"));
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_TRUE(request->binary_data_output);
  std::string with_outputs = R"({"inputs":[)" + std::string(kImageInput) +
                             R"(],"outputs":[{"name":"scores","parameters":{"binary_data":true}}]})";
  request = ParseJson(with_outputs);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  ASSERT_EQ(request->outputs.size(), 1u);
  EXPECT_EQ(request->outputs[0].name, "scores");
  EXPECT_TRUE(request->outputs[0].binary_data);
}

TEST(KserveV2RequestTest, RefusesBadRequestedOutputs) {
  auto with = [](const std::string& outputs) {
    return ParseJson(R"({"inputs":[)" + std::string(kImageInput) + R"(],"outputs":)" + outputs + "}");
  };
  ExpectError(with(R"([{"name":"logits"}])"), "output \"logits\" is not an output of the model");
  ExpectError(with(R"([{"name":"scores"},{"name":"scores"}])"), "requested more than once");
  ExpectError(with(R"([{"name":"scores","parameters":{"binary_data":"yes"}}])"), "not a boolean");
  ExpectError(with(R"({"name":"scores"})"), "\"outputs\" is not an array");
  ExpectError(with(R"([{"name":"scores","parameters":{"classification":0}}])"), "not a positive integer");
}

TEST(KserveV2RequestTest, RefusesMalformedJson) {
  ExpectError(ParseJson("{\"inputs\": ["), "malformed JSON");
  ExpectError(ParseJson(""), "malformed JSON");
  ExpectError(ParseJson("[1,2]"), "not a JSON object");
  ExpectError(ParseJson("{}"), "no \"inputs\" array");
  ExpectError(ParseJson(R"({"id":7,"inputs":[]})"), "\"id\" is not a string");
  ExpectError(ParseJson(R"({"parameters":[],"inputs":[]})"), "\"parameters\" is not an object");
  ExpectError(ParseJson(std::string("{\"id\":\"\xff\",\"inputs\":[]}")), "malformed JSON");
}

TEST(KserveV2RequestTest, RefusesDeeplyNestedBodiesWithoutRecursingIntoThem) {
  std::string deep = R"({"inputs":[{"name":"image","shape":[4],"datatype":"UINT8","data":)";
  deep += std::string(100000, '[') + std::string(100000, ']') + "}]}";
  ExpectError(ParseJson(deep), "nested deeper than");
}

TEST(KserveV2RequestTest, RefusesBadInputHeaders) {
  ExpectError(ParseJson(Request(R"({"shape":[1],"datatype":"UINT8","data":[1]})")),
              "inputs[0] has no \"name\" string");
  ExpectError(ParseJson(Request("7")), "inputs[0] is not an object");
  ExpectError(ParseJson(Request(R"({"name":"image","shape":[1,2,2,1],"data":[1,2,3,4]})")),
              "input \"image\": \"datatype\" is missing");
  ExpectError(ParseJson(Request(R"({"name":"image","shape":[1,2,2,1],"datatype":"FP16","data":[1,2,3,4]})")),
              "input \"image\": datatype FP16 is not supported", StatusCode::kUnimplemented);
  ExpectError(ParseJson(Request(R"({"name":"image","shape":[1,2,2,1],"datatype":"uint8","data":[1,2,3,4]})")),
              "unknown datatype");
  ExpectError(ParseJson(Request(R"({"name":"image","datatype":"UINT8","data":[1,2,3,4]})")),
              "\"shape\" is missing");
  ExpectError(ParseJson(Request(R"({"name":"image","shape":[1,-2,2,1],"datatype":"UINT8","data":[1]})")),
              "negative dimension");
  ExpectError(ParseJson(Request(R"({"name":"image","shape":[1,2.5],"datatype":"UINT8","data":[1]})")),
              "\"shape\" must be an array of integers");
  ExpectError(ParseJson(Request(R"({"name":"image","shape":[1,2,2,1],"datatype":"UINT8"})")),
              "has neither \"data\" nor \"binary_data_size\"");
  ExpectError(ParseJson(Request(R"({"name":"image","shape":[1,2,2,1],"datatype":"UINT8","data":7})")),
              "\"data\" is not an array");
}

TEST(KserveV2RequestTest, RefusesInputsThatDisagreeWithTheModel) {
  ExpectError(ParseJson(Request(std::string(kImageInput) +
                                R"(,{"name":"extra","shape":[1],"datatype":"UINT8","data":[1]})")),
              "input \"extra\" is not an input of the model");
  ExpectError(ParseJson(Request("")), "input \"image\" is missing");
  ExpectError(ParseJson(Request(std::string(kImageInput) + "," + kImageInput)),
              "input \"image\" is given more than once");
  ExpectError(ParseJson(Request(R"({"name":"image","shape":[1,2,2,1],"datatype":"INT8","data":[1,2,3,4]})")),
              "datatype INT8 does not match the model's UINT8");
  ExpectError(ParseJson(Request(R"({"name":"image","shape":[1,4,1,1],"datatype":"UINT8","data":[1,2,3,4]})")),
              "does not match the model's [1,2,2,1]");
  ExpectError(ParseJson(Request(R"({"name":"image","shape":[1,2,2,1],"datatype":"UINT8","data":[1,2,3]})")),
              "\"data\" has 3 elements but shape [1,2,2,1] needs 4");
  ExpectError(ParseJson(Request(R"({"name":"image","shape":[1,2,2,1],"datatype":"UINT8","data":[1,2,3,300]})")),
              "input \"image\": element 3: 300 is out of range for UINT8");
  ExpectError(ParseJson(Request(R"({"name":"image","shape":[1,2,2,1],"datatype":"UINT8","data":[1,2,3,4.5]})")),
              "is not an integer");
}

TEST(KserveV2RequestTest, BatchDimMayDifferOnlyWhenBatchingIsAllowed) {
  const std::string two = Request(
      R"({"name":"image","shape":[2,2,2,1],"datatype":"UINT8","data":[1,2,3,4,5,6,7,8]})");
  ExpectError(ParseJson(two), "(dim 0)");
  Result<V2InferRequest> batched = ParseJson(two, {.allow_batch_dim = true, .max_batch_size = 8});
  ASSERT_TRUE(batched.ok()) << batched.status().ToString();
  EXPECT_EQ(batched->inputs[0].shape[0], 2);
}

const char* kBinaryImage =
    R"({"inputs":[{"name":"image","shape":[1,2,2,1],"datatype":"UINT8","parameters":{"binary_data_size":4}}]})";

TEST(KserveV2RequestTest, ParsesBinaryTensorExtension) {
  Result<V2InferRequest> request = ParseBinary(kBinaryImage, {9, 8, 7, 6});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->inputs[0].data, (std::vector<uint8_t>{9, 8, 7, 6}));
}

TEST(KserveV2RequestTest, MixesBinaryAndJsonInputsInOrder) {
  const std::string header =
      R"({"inputs":[{"name":"k","shape":[1,1],"datatype":"INT32","parameters":{"binary_data_size":4}},)"
      R"({"name":"x","shape":[1,2],"datatype":"FP32","data":[1.5,2.5]}]})";
  std::vector<uint8_t> body(header.begin(), header.end());
  std::vector<uint8_t> k = Bytes<int32_t>({-7});
  body.insert(body.end(), k.begin(), k.end());
  Result<V2InferRequest> request =
      ParseV2InferRequest(body, header.size(), testing::TwoInputs(), {}, {});
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_EQ(request->inputs[0].name, "x");
  EXPECT_EQ(request->inputs[0].data, Bytes<float>({1.5f, 2.5f}));
  EXPECT_EQ(request->inputs[1].data, k);
}

TEST(KserveV2RequestTest, RefusesBadBinaryFraming) {
  ExpectError(ParseBinary(kBinaryImage, {9, 8, 7}), "\"binary_data_size\" 4 exceeds the 3 binary bytes");
  ExpectError(ParseBinary(kBinaryImage, {9, 8, 7, 6, 5}), "1 bytes after the last binary input");
  ExpectError(ParseBinary(kBinaryImage, {9, 8, 7, 6}, 100000), "exceeds the body's");
  ExpectError(ParseBinary(std::string(kBinaryImage), {9, 8, 7, 6}, 10), "malformed JSON");
  // Size disagrees with the shape although the framing is consistent.
  ExpectError(ParseBinary(R"({"inputs":[{"name":"image","shape":[1,2,2,1],"datatype":"UINT8",)"
                          R"("parameters":{"binary_data_size":3}}]})",
                          {1, 2, 3}),
              "has 3 elements (3 bytes) but shape [1,2,2,1] needs 4");
  ExpectError(ParseBinary(R"({"inputs":[{"name":"image","shape":[1,2,2,1],"datatype":"UINT8",)"
                          R"("parameters":{"binary_data_size":18446744073709551615}}]})",
                          {1, 2, 3, 4}),
              "exceeds the 4 binary bytes");
  ExpectError(ParseBinary(R"({"inputs":[{"name":"image","shape":[1,2,2,1],"datatype":"UINT8",)"
                          R"("parameters":{"binary_data_size":-4}}]})",
                          {1, 2, 3, 4}),
              "non-negative integer");
  ExpectError(ParseBinary(R"({"inputs":[{"name":"image","shape":[1,2,2,1],"datatype":"UINT8","data":[1,2,3,4],)"
                          R"("parameters":{"binary_data_size":4}}]})",
                          {1, 2, 3, 4}),
              "has both \"data\" and \"binary_data_size\"");
  // A shape whose byte size overflows 64 bits cannot be matched by any binary size.
  ExpectError(ParseBinary(R"({"inputs":[{"name":"image","shape":[4294967296,4294967296,4294967296],)"
                          R"("datatype":"UINT8","parameters":{"binary_data_size":4}}]})",
                          {1, 2, 3, 4}),
              "has too many elements");
  ExpectError(ParseBinary(R"({"inputs":[{"name":"image","shape":[4611686018427387904],)"
                          R"("datatype":"INT32","parameters":{"binary_data_size":4}}]})",
                          {1, 2, 3, 4}),
              "is too large");
  // binary_data_size without the header: the body is all JSON, nothing to take bytes from.
  ExpectError(ParseJson(kBinaryImage), "needs the Inference-Header-Content-Length header");
}

TEST(KserveV2RequestTest, ParsesTheHeaderContentLengthStrictly) {
  EXPECT_EQ(*ParseInferenceHeaderContentLength("123"), 123u);
  EXPECT_EQ(*ParseInferenceHeaderContentLength("0"), 0u);
  EXPECT_FALSE(ParseInferenceHeaderContentLength("").ok());
  EXPECT_FALSE(ParseInferenceHeaderContentLength("-1").ok());
  EXPECT_FALSE(ParseInferenceHeaderContentLength("+1").ok());
  EXPECT_FALSE(ParseInferenceHeaderContentLength("12 ").ok());
  EXPECT_FALSE(ParseInferenceHeaderContentLength("99999999999999999999").ok());
}

}  // namespace
}  // namespace s3ml::serving
