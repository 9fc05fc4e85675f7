#include "serving/classification.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "serving/kserve_v2_request.h"
#include "serving/kserve_v2_response.h"
#include "tests/serving/test_models.h"

namespace s3ml::serving {
namespace {

using nlohmann::json;
using testing::Bytes;
using testing::Payload;

std::vector<std::string> Strings(const Result<Classification>& result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? result.value().elements : std::vector<std::string>{};
}

TEST(ClassificationTest, RanksEachBatchRowHighestFirstWithTiesByLowestIndexAndLabels) {
  const client::LabelMap labels = client::LabelMap::Parse("zero\none\n\nthree\n");
  // A batch of two rows of four classes; row 0 ties classes 1 and 3, class 2 has an empty label.
  const TensorPayload output = Payload("p", Datatype::kUInt8, {2, 4}, {7, 200, 9, 200, 0, 1, 255, 3});
  Result<Classification> top = Classify(output, 3, /*batched=*/true, &labels);
  ASSERT_TRUE(top.ok()) << top.status().ToString();
  EXPECT_EQ(top->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(top->elements, (std::vector<std::string>{"200:1:one", "200:3:three", "9:2", "255:2", "3:3:three",
                                                     "1:1:one"}));
  // No labels file: value and index only.
  EXPECT_EQ(Strings(Classify(output, 1, true, nullptr)), (std::vector<std::string>{"200:1", "255:2"}));
}

// As Triton: without a batch dimension the whole output is one row, indexed flat in row-major
// order, and the answer's shape is [n]; with one, everything after it is a row.
TEST(ClassificationTest, RanksTheFlatElementsOfEachRow) {
  const TensorPayload output = Payload("p", Datatype::kUInt8, {2, 2}, {1, 5, 10, 4});
  Result<Classification> whole = Classify(output, 2, /*batched=*/false, nullptr);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(whole->elements, (std::vector<std::string>{"10:2", "5:1"}));
  const TensorPayload cube = Payload("p", Datatype::kUInt8, {2, 2, 2}, {1, 2, 3, 4, 8, 7, 6, 5});
  Result<Classification> rows = Classify(cube, 1, /*batched=*/true, nullptr);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->shape, (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(rows->elements, (std::vector<std::string>{"4:3", "8:0"}));
  // A scalar output is one class.
  EXPECT_EQ(Strings(Classify(Payload("s", Datatype::kUInt8, {}, {9}), 3, false, nullptr)),
            (std::vector<std::string>{"9:0"}));
}

TEST(ClassificationTest, PrintsValuesAsTheirDatatypeAndPutsNanLast) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(Strings(Classify(Payload("p", Datatype::kFp32, {4}, Bytes<float>({nan, 0.1f, -2.5f, 1e-7f})), 4, false, nullptr)),
            (std::vector<std::string>{"0.1:1", "1e-07:3", "-2.5:2", "nan:0"}));
  EXPECT_EQ(Strings(Classify(Payload("p", Datatype::kInt8, {3}, Bytes<int8_t>({-128, -3, 5})), 2, false, nullptr)),
            (std::vector<std::string>{"5:2", "-3:1"}));
  EXPECT_EQ(Strings(Classify(Payload("p", Datatype::kInt64, {2}, Bytes<int64_t>({int64_t{1} << 60, 2})), 1, false, nullptr)),
            (std::vector<std::string>{"1152921504606846976:0"}));
}

TEST(ClassificationTest, ACountAboveTheClassesReturnsThemAll) {
  Result<Classification> top = Classify(Payload("p", Datatype::kInt32, {1, 2}, Bytes<int32_t>({4, 9})), 1000, false, nullptr);
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(top->shape, (std::vector<int64_t>{2}));
  EXPECT_EQ(top->elements, (std::vector<std::string>{"9:1", "4:0"}));
}

TEST(ClassificationTest, RefusesAPayloadThatDoesNotMatchItsShape) {
  EXPECT_FALSE(Classify(Payload("p", Datatype::kFp32, {1, 3}, {1, 2}), 1, false, nullptr).ok());
}

TEST(ClassificationTest, BytesElementsAreLengthPrefixedLittleEndian) {
  const std::string long_element(300, 'x');
  const std::string encoded = EncodeBytesElements({"ab", "", long_element});
  ASSERT_EQ(encoded.size(), 4u + 2 + 4 + 4 + 300);
  EXPECT_EQ(encoded.substr(0, 6), std::string("\x02\x00\x00\x00" "ab", 6));
  EXPECT_EQ(encoded.substr(6, 4), std::string(4, '\0'));
  EXPECT_EQ(encoded.substr(10, 4), std::string("\x2c\x01\x00\x00", 4));
  EXPECT_EQ(encoded.substr(14), long_element);
}

// The request side: "classification" on a requested output.
Result<V2InferRequest> ParseWithOutputs(const std::string& outputs) {
  const std::string body =
      R"({"inputs":[{"name":"image","shape":[1,2,2,1],"datatype":"UINT8","data":[1,2,3,4]}],"outputs":)" + outputs + "}";
  return ParseV2InferRequest(std::span(reinterpret_cast<const uint8_t*>(body.data()), body.size()), std::nullopt,
                             testing::ClassifierInputs(), testing::ClassifierOutputs(), {});
}

TEST(ClassificationTest, RequestsNameAPositiveCount) {
  Result<V2InferRequest> parsed = ParseWithOutputs(R"([{"name":"scores","parameters":{"classification":2}}])");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->outputs.size(), 1u);
  EXPECT_EQ(parsed->outputs[0].classification, 2u);
  for (const char* bad : {"0", "-1", "2.5", "\"3\"", "true", "null"}) {
    Result<V2InferRequest> refused =
        ParseWithOutputs(std::string(R"([{"name":"scores","parameters":{"classification":)") + bad + "}}]");
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(refused.status().message().find("\"classification\" is not a positive integer"), std::string::npos)
        << refused.status().message();
  }
}

// The response side, in both encodings.
TEST(ClassificationTest, ResponsesCarryBytesInJsonOrBinary) {
  const client::LabelMap labels = client::LabelMap::Parse("cat\ndog\nbird");
  const std::vector<TensorPayload> outputs = {Payload("scores", Datatype::kFp32, {1, 3}, Bytes<float>({0.25f, 0.5f, 0.125f}))};
  V2InferRequest request;
  request.outputs = {{.name = "scores", .classification = 2}};
  Result<EncodedBody> as_json = EncodeV2InferResponse("m", "1", request, outputs, {&labels, /*batched=*/true});
  ASSERT_TRUE(as_json.ok()) << as_json.status().ToString();
  json body = json::parse(as_json->body);
  EXPECT_EQ(body["outputs"][0]["datatype"], "BYTES");
  EXPECT_EQ(body["outputs"][0]["shape"], json::parse("[1,2]"));
  EXPECT_EQ(body["outputs"][0]["data"], json::parse(R"(["0.5:1:dog","0.25:0:cat"])"));

  request.binary_data_output = true;
  Result<EncodedBody> as_binary = EncodeV2InferResponse("m", "1", request, outputs, {&labels, true});
  ASSERT_TRUE(as_binary.ok());
  ASSERT_TRUE(as_binary->json_header_length.has_value());
  const std::string tail = as_binary->body.substr(*as_binary->json_header_length);
  EXPECT_EQ(tail, EncodeBytesElements({"0.5:1:dog", "0.25:0:cat"}));
  json header = json::parse(as_binary->body.substr(0, *as_binary->json_header_length));
  EXPECT_EQ(header["outputs"][0]["parameters"]["binary_data_size"], tail.size());
}

}  // namespace
}  // namespace s3ml::serving
