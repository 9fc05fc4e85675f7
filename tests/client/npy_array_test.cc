#include "client/npy_array.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "tests/client/npy_builder.h"

namespace s3ml::client {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::BuildNpy;
using testing::BuildNpyWithHeader;

std::vector<uint8_t> Floats(std::initializer_list<float> values) {
  std::vector<uint8_t> bytes(values.size() * 4);
  std::memcpy(bytes.data(), values.begin(), bytes.size());
  return bytes;
}

TEST(NpyArrayTest, ParsesFloat32InEveryFormatVersion) {
  const std::vector<uint8_t> data = Floats({1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 8.0f});
  for (int major : {1, 2, 3}) {
    SCOPED_TRACE(major);
    const std::vector<uint8_t> file = BuildNpy("<f4", "1, 2, 3", data, major);
    Result<NpyArray> array = ParseNpy(file);
    ASSERT_TRUE(array.ok()) << array.status().ToString();
    EXPECT_EQ(array->type, engine::DataType::kFloat32);
    EXPECT_EQ(array->item_size, 4u);
    EXPECT_THAT(array->shape, ElementsAre(1, 2, 3));
    EXPECT_EQ(array->element_count(), 6u);
    EXPECT_EQ(std::vector<uint8_t>(array->data.begin(), array->data.end()), data);
  }
}

TEST(NpyArrayTest, ParsesEachSupportedDtype) {
  struct Case {
    const char* descr;
    engine::DataType type;
    size_t size;
  };
  for (const Case& c : {Case{"|u1", engine::DataType::kUInt8, 1}, Case{"|i1", engine::DataType::kInt8, 1},
                        Case{"<i4", engine::DataType::kInt32, 4}, Case{"<i2", engine::DataType::kInt16, 2},
                        Case{"<i8", engine::DataType::kInt64, 8}, Case{"|b1", engine::DataType::kBool, 1},
                        Case{"=f4", engine::DataType::kFloat32, 4}}) {
    SCOPED_TRACE(c.descr);
    Result<NpyArray> array = ParseNpy(BuildNpy(c.descr, "3,", std::vector<uint8_t>(3 * c.size, 1)));
    ASSERT_TRUE(array.ok()) << array.status().ToString();
    EXPECT_EQ(array->type, c.type);
    EXPECT_THAT(array->shape, ElementsAre(3));
  }
}

TEST(NpyArrayTest, ParsesScalarsEmptyArraysAndOtherKeyOrders) {
  Result<NpyArray> scalar = ParseNpy(BuildNpy("<f4", "", Floats({4.0f})));
  ASSERT_TRUE(scalar.ok()) << scalar.status().ToString();
  EXPECT_TRUE(scalar->shape.empty());
  EXPECT_EQ(scalar->element_count(), 1u);

  Result<NpyArray> empty = ParseNpy(BuildNpy("|u1", "0, 5", {}));
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->data.size(), 0u);

  Result<NpyArray> reordered =
      ParseNpy(BuildNpyWithHeader("{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"|i1\"}", {1, 2}));
  ASSERT_TRUE(reordered.ok()) << reordered.status().ToString();
  EXPECT_EQ(reordered->type, engine::DataType::kInt8);
}

TEST(NpyArrayTest, RefusesEveryTruncation) {
  const std::vector<uint8_t> file = BuildNpy("<f4", "2, 2", Floats({1, 2, 3, 4}));
  for (size_t cut = 0; cut < file.size(); ++cut) {
    Result<NpyArray> array = ParseNpy(std::span<const uint8_t>(file).first(cut));
    ASSERT_FALSE(array.ok()) << "cut at " << cut;
    EXPECT_EQ(array.status().code(), StatusCode::kInvalidArgument) << "cut at " << cut;
  }
}

TEST(NpyArrayTest, RefusesWrongMagicAndVersion) {
  std::vector<uint8_t> file = BuildNpy("|u1", "1,", {7});
  file[1] = 'n';
  EXPECT_THAT(ParseNpy(file).status().message(), HasSubstr("magic"));
  file[1] = 'N';
  file[6] = 4;
  EXPECT_THAT(ParseNpy(file).status().message(), HasSubstr("version 4.0"));
  file[6] = 1;
  file[7] = 1;
  EXPECT_THAT(ParseNpy(file).status().message(), HasSubstr("version 1.1"));
}

TEST(NpyArrayTest, RefusesFortranOrder) {
  Result<NpyArray> array =
      ParseNpy(BuildNpyWithHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", Floats({1, 2, 3, 4})));
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(array.status().message(), HasSubstr("fortran_order"));
}

TEST(NpyArrayTest, RefusesUnknownAndBigEndianDtypes) {
  Result<NpyArray> array = ParseNpy(BuildNpy("<c8", "1,", std::vector<uint8_t>(8)));
  ASSERT_FALSE(array.ok());
  EXPECT_THAT(array.status().message(), HasSubstr("'<c8' is not supported"));
  EXPECT_THAT(ParseNpy(BuildNpy("<f8", "1,", std::vector<uint8_t>(8))).status().message(),
              HasSubstr("'<f8' is not supported"));
  EXPECT_THAT(ParseNpy(BuildNpy(">f4", "1,", std::vector<uint8_t>(4))).status().message(), HasSubstr("big-endian"));
  EXPECT_THAT(ParseNpy(BuildNpy("|f4", "1,", std::vector<uint8_t>(4))).status().message(),
              HasSubstr("no byte order"));
  EXPECT_THAT(ParseNpy(BuildNpy("xf4", "1,", std::vector<uint8_t>(4))).status().message(),
              HasSubstr("unknown byte order"));
  EXPECT_THAT(ParseNpy(BuildNpy("<f", "1,", std::vector<uint8_t>(4))).status().message(), HasSubstr("unknown"));
}

TEST(NpyArrayTest, RefusesDataOfTheWrongSize) {
  EXPECT_THAT(ParseNpy(BuildNpy("<f4", "3,", Floats({1, 2}))).status().message(),
              HasSubstr("data is 8 bytes but shape (3) of '<f4' needs 12"));
  EXPECT_THAT(ParseNpy(BuildNpy("|u1", "2,", {1, 2, 3})).status().message(), HasSubstr("data is 3 bytes"));
}

TEST(NpyArrayTest, RefusesAbsurdShapesWithoutOverflow) {
  EXPECT_THAT(ParseNpy(BuildNpy("<f4", "4294967296, 4294967296", {})).status().message(), HasSubstr("overflows"));
  EXPECT_THAT(ParseNpy(BuildNpy("|u1", "99999999999999999999999,", {})).status().message(), HasSubstr("too large"));
  EXPECT_THAT(ParseNpy(BuildNpy("|u1", "100000, 100000", {1})).status().message(), HasSubstr("needs 10000000000"));
}

TEST(NpyArrayTest, RefusesMalformedHeaders) {
  const std::vector<uint8_t> data = {1, 2};
  for (const char* header : {"", "[]", "{'descr': '|u1', 'fortran_order': False}",
                             "{'descr': '|u1', 'shape': (2,)}", "{'fortran_order': False, 'shape': (2,)}",
                             "{'descr': '|u1', 'fortran_order': False, 'shape': (2,), 'extra': 1}",
                             "{'descr': '|u1', 'descr': '|u1', 'fortran_order': False, 'shape': (2,)}",
                             "{'descr': '|u1', 'fortran_order': Maybe, 'shape': (2,)}",
                             "{'descr': '|u1', 'fortran_order': False, 'shape': (-2,)}",
                             "{'descr': '|u1', 'fortran_order': False, 'shape': (2 2)}",
                             "{'descr': '|u1', 'fortran_order': False, 'shape': [2]}",
                             "{'descr: '|u1', 'fortran_order': False, 'shape': (2,)}",
                             "{'descr': '|u1' 'fortran_order': False, 'shape': (2,)}",
                             "{'descr': '|u1', 'fortran_order': False, 'shape': (2,)} junk"}) {
    SCOPED_TRACE(header);
    Result<NpyArray> array = ParseNpy(BuildNpyWithHeader(header, data));
    ASSERT_FALSE(array.ok());
    EXPECT_THAT(array.status().message(), HasSubstr("npy header"));
  }
}

}  // namespace
}  // namespace s3ml::client
