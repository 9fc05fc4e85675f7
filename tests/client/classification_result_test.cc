#include "client/classification_result.h"

#include <gtest/gtest.h>

namespace s3ml::client {
namespace {

V2Tensor Bytes(std::vector<std::string> strings) {
  const int64_t count = static_cast<int64_t>(strings.size());
  return V2Tensor{.name = "p", .datatype = "BYTES", .shape = {1, count}, .data = {}, .strings = std::move(strings)};
}

TEST(ClassificationResultTest, ReadsIndexLabelAndDequantizedScore) {
  auto classes = ParseClassifications(Bytes({"201:286:Egyptian cat", "34:282:tabby, tabby: cat", "11:7"}),
                                      std::make_pair(0.00390625f, int64_t{1}));
  ASSERT_TRUE(classes.ok()) << classes.status().ToString();
  ASSERT_EQ(classes->size(), 3u);
  EXPECT_EQ((*classes)[0].index, 286u);
  EXPECT_EQ((*classes)[0].label, "Egyptian cat");
  EXPECT_FLOAT_EQ((*classes)[0].score, 0.78125f);
  EXPECT_EQ((*classes)[1].label, "tabby, tabby: cat");  // a label may hold ':'
  EXPECT_EQ((*classes)[2].index, 7u);
  EXPECT_EQ((*classes)[2].label, "");
  auto raw = ParseClassifications(Bytes({"-0.5:3"}), std::nullopt);
  ASSERT_TRUE(raw.ok());
  EXPECT_FLOAT_EQ((*raw)[0].score, -0.5f);
}

TEST(ClassificationResultTest, RefusesOtherDatatypesAndMalformedElements) {
  V2Tensor numbers = Bytes({});
  numbers.datatype = "UINT8";
  EXPECT_EQ(ParseClassifications(numbers, std::nullopt).status().code(), StatusCode::kInvalidArgument);
  for (const char* bad : {"", "12", ":3", "1:", "1:x", "x:1", "1:-2", "1.5.2:3", "1:2x:cat", "nan x:1"}) {
    auto r = ParseClassifications(Bytes({bad}), std::nullopt);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace s3ml::client
