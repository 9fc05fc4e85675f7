#include "serving/tensor_payload.h"

#include <gtest/gtest.h>

namespace s3ml::serving {
namespace {

TEST(TensorPayloadTest, DatatypeNamesRoundTripAndMapToEngineTypes) {
  for (Datatype type : {Datatype::kBool, Datatype::kUInt8, Datatype::kInt8, Datatype::kInt16,
                        Datatype::kInt32, Datatype::kInt64, Datatype::kFp32}) {
    Result<Datatype> parsed = ParseDatatype(DatatypeName(type));
    ASSERT_TRUE(parsed.ok()) << DatatypeName(type);
    EXPECT_EQ(*parsed, type);
    EXPECT_EQ(FromEngineType(ToEngineType(type)), type);
  }
  EXPECT_EQ(ToEngineType(Datatype::kFp32), engine::DataType::kFloat32);
  EXPECT_EQ(FromEngineType(engine::DataType::kUInt8), Datatype::kUInt8);
  EXPECT_EQ(DatatypeSize(Datatype::kInt64), 8u);
  EXPECT_EQ(DatatypeSize(Datatype::kBool), 1u);
  EXPECT_EQ(DatatypeSize(Datatype::kInt16), 2u);
}

TEST(TensorPayloadTest, UnknownAndUnsupportedDatatypesAreDistinguished) {
  Result<Datatype> fp16 = ParseDatatype("FP16");
  ASSERT_FALSE(fp16.ok());
  EXPECT_EQ(fp16.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(fp16.status().message().find("FP16"), std::string::npos);
  Result<Datatype> bogus = ParseDatatype("float32");  // lower case is not the v2 spelling
  ASSERT_FALSE(bogus.ok());
  EXPECT_EQ(bogus.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParseDatatype("").ok());
}

TEST(TensorPayloadTest, ElementCountChecksSignAndOverflow) {
  EXPECT_EQ(*ElementCount({}, "t"), 1u);
  EXPECT_EQ(*ElementCount({2, 3, 4}, "t"), 24u);
  EXPECT_EQ(*ElementCount({2, 0}, "t"), 0u);
  Result<size_t> negative = ElementCount({2, -1}, "input \"a\"");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("input \"a\""), std::string::npos);
  EXPECT_FALSE(ElementCount({INT64_MAX, INT64_MAX}, "t").ok());
  EXPECT_EQ(ShapeToString({1, 224, 3}), "[1,224,3]");
}

}  // namespace
}  // namespace s3ml::serving
