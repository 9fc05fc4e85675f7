#include "serving/json_tensor_data.h"

#include <gtest/gtest.h>

#include "tests/serving/test_models.h"

namespace s3ml::serving {
namespace {

using nlohmann::json;
using testing::Bytes;

Result<std::vector<uint8_t>> Convert(const char* text, Datatype type) {
  std::vector<uint8_t> out;
  Status status = AppendJsonElements(json::parse(text), type, "input \"t\"", &out);
  if (!status.ok()) return status;
  return out;
}

void ExpectError(const char* text, Datatype type, const std::string& needle) {
  Result<std::vector<uint8_t>> result = Convert(text, type);
  ASSERT_FALSE(result.ok()) << text;
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find(needle), std::string::npos) << result.status().message();
  EXPECT_NE(result.status().message().find("input \"t\""), std::string::npos);
}

TEST(JsonTensorDataTest, ConvertsEachDatatypeLittleEndian) {
  EXPECT_EQ(*Convert("[0, 255, 7]", Datatype::kUInt8), (std::vector<uint8_t>{0, 255, 7}));
  EXPECT_EQ(*Convert("[-128, 127]", Datatype::kInt8), Bytes<int8_t>({-128, 127}));
  EXPECT_EQ(*Convert("[-32768, 513]", Datatype::kInt16), Bytes<int16_t>({-32768, 513}));
  EXPECT_EQ(*Convert("[[-1, 2147483647]]", Datatype::kInt32), Bytes<int32_t>({-1, 2147483647}));
  EXPECT_EQ(*Convert("[-9223372036854775808, 9223372036854775807]", Datatype::kInt64),
            Bytes<int64_t>({INT64_MIN, INT64_MAX}));
  EXPECT_EQ(*Convert("[0.5, -2, 1e3]", Datatype::kFp32), Bytes<float>({0.5f, -2.0f, 1000.0f}));
  EXPECT_EQ(*Convert("[true, false]", Datatype::kBool), (std::vector<uint8_t>{1, 0}));
  // The second byte of an int16 is the high byte.
  EXPECT_EQ(*Convert("[513]", Datatype::kInt16), (std::vector<uint8_t>{1, 2}));
}

TEST(JsonTensorDataTest, RefusesOutOfRangeValues) {
  ExpectError("[1, 300]", Datatype::kUInt8, "element 1: 300 is out of range for UINT8");
  ExpectError("[-1]", Datatype::kUInt8, "-1 is out of range");
  ExpectError("[128]", Datatype::kInt8, "128 is out of range for INT8");
  ExpectError("[40000]", Datatype::kInt16, "out of range");
  ExpectError("[2147483648]", Datatype::kInt32, "out of range for INT32");
  ExpectError("[9223372036854775808]", Datatype::kInt64, "out of range for INT64");
  ExpectError("[1e39]", Datatype::kFp32, "outside the range of FP32");
}

TEST(JsonTensorDataTest, RefusesWrongKinds) {
  ExpectError("[1.5]", Datatype::kInt32, "is not an integer");
  ExpectError("[2.0]", Datatype::kUInt8, "is not an integer");
  ExpectError("[\"NaN\"]", Datatype::kFp32, "is not a number");
  ExpectError("[\"Infinity\"]", Datatype::kFp32, "is not a number");
  ExpectError("[null]", Datatype::kFp32, "is not a number");
  ExpectError("[1]", Datatype::kBool, "is not true or false");
  ExpectError("[true]", Datatype::kInt8, "is not an integer");
  ExpectError("[{\"a\":1}]", Datatype::kFp32, "is not a number");
}

TEST(JsonTensorDataTest, NestedShapeOfRegularAndRaggedData) {
  EXPECT_EQ(*NestedJsonShape(json::parse("3"), "t"), std::vector<int64_t>{});
  EXPECT_EQ(*NestedJsonShape(json::parse("[1,2,3]"), "t"), (std::vector<int64_t>{3}));
  EXPECT_EQ(*NestedJsonShape(json::parse("[[1,2],[3,4],[5,6]]"), "t"), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(*NestedJsonShape(json::parse("[]"), "t"), (std::vector<int64_t>{0}));
  EXPECT_FALSE(NestedJsonShape(json::parse("[[1],[2,3]]"), "t").ok());
  EXPECT_FALSE(NestedJsonShape(json::parse("[[1],2]"), "t").ok());
  EXPECT_FALSE(NestedJsonShape(json::parse("[1,[2]]"), "t").ok());
}

TEST(JsonTensorDataTest, RefusesNestingDeeperThanTheRankLimit) {
  std::string deep(kMaxJsonTensorRank + 1, '[');
  deep += "1" + std::string(kMaxJsonTensorRank + 1, ']');
  json value = json::parse(deep);
  Result<std::vector<int64_t>> shape = NestedJsonShape(value, "t");
  ASSERT_FALSE(shape.ok());
  EXPECT_NE(shape.status().message().find("nested deeper"), std::string::npos);
  std::vector<uint8_t> out;
  EXPECT_FALSE(AppendJsonElements(value, Datatype::kFp32, "t", &out).ok());
}

TEST(JsonTensorDataTest, RendersNestedAndFlat) {
  std::vector<uint8_t> data = Bytes<int32_t>({1, 2, 3, 4, 5, 6});
  std::vector<int64_t> shape = {2, 3};
  EXPECT_EQ(ElementsToNestedJson(data, Datatype::kInt32, shape), json::parse("[[1,2,3],[4,5,6]]"));
  EXPECT_EQ(ElementsToFlatJson(data, Datatype::kInt32), json::parse("[1,2,3,4,5,6]"));
  std::vector<int64_t> scalar;
  EXPECT_EQ(ElementsToNestedJson(Bytes<float>({2.5f}), Datatype::kFp32, scalar), json(2.5));
  EXPECT_EQ(ElementsToFlatJson(std::vector<uint8_t>{1, 0}, Datatype::kBool), json::parse("[true,false]"));
  EXPECT_EQ(ElementsToFlatJson(Bytes<float>({NAN}), Datatype::kFp32), json::parse("[null]"));
}

}  // namespace
}  // namespace s3ml::serving
