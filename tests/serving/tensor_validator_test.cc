#include "serving/tensor_validator.h"

#include <gtest/gtest.h>

#include "tests/serving/test_models.h"

namespace s3ml::serving {
namespace {

using testing::Bytes;
using testing::Info;
using testing::Payload;

TensorPayload X(std::vector<int64_t> shape = {1, 2}) {
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d);
  return Payload("x", Datatype::kFp32, shape, std::vector<uint8_t>(n * 4));
}
TensorPayload K(std::vector<int64_t> shape = {1, 1}) {
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d);
  return Payload("k", Datatype::kInt32, shape, std::vector<uint8_t>(n * 4));
}

void ExpectError(Result<std::vector<TensorPayload>> result, const std::string& needle) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find(needle), std::string::npos) << result.status().message();
}

TEST(TensorValidatorTest, AcceptsAndReordersToModelOrder) {
  Result<std::vector<TensorPayload>> result = ValidateInputs({K(), X()}, testing::TwoInputs(), {});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->size(), 2u);
  EXPECT_EQ((*result)[0].name, "x");
  EXPECT_EQ((*result)[1].name, "k");
}

TEST(TensorValidatorTest, RefusesUnknownMissingAndDuplicateNames) {
  ExpectError(ValidateInputs({X(), K(), Payload("z", Datatype::kFp32, {1}, Bytes<float>({1}))},
                             testing::TwoInputs(), {}),
              "input \"z\" is not an input of the model");
  ExpectError(ValidateInputs({X()}, testing::TwoInputs(), {}), "input \"k\" is missing");
  ExpectError(ValidateInputs({X(), X(), K()}, testing::TwoInputs(), {}),
              "input \"x\" is given more than once");
}

TEST(TensorValidatorTest, RefusesDatatypeMismatch) {
  TensorPayload k = K();
  k.datatype = Datatype::kInt64;
  k.data.resize(8);
  ExpectError(ValidateInputs({X(), k}, testing::TwoInputs(), {}),
              "input \"k\": datatype INT64 does not match the model's INT32");
}

TEST(TensorValidatorTest, RefusesShapeMismatch) {
  ExpectError(ValidateInputs({X({2}), K()}, testing::TwoInputs(), {}), "has rank 1");
  ExpectError(ValidateInputs({X({1, 3}), K()}, testing::TwoInputs(), {}),
              "shape [1,3] does not match the model's [1,2] (dim 1)");
  // Batch dim differs but batching is off.
  ExpectError(ValidateInputs({X({2, 2}), K({2, 1})}, testing::TwoInputs(), {}), "(dim 0)");
}

TEST(TensorValidatorTest, BatchDimMayDifferOnlyWhenAllowed) {
  ValidationOptions batching{.allow_batch_dim = true, .max_batch_size = 4};
  EXPECT_TRUE(ValidateInputs({X({3, 2}), K({3, 1})}, testing::TwoInputs(), batching).ok());
  ExpectError(ValidateInputs({X({5, 2}), K({5, 1})}, testing::TwoInputs(), batching),
              "batch size 5 is outside [1, 4]");
  ExpectError(ValidateInputs({X({0, 2}), K({0, 1})}, testing::TwoInputs(), batching), "batch size 0");
  ExpectError(ValidateInputs({X({3, 2}), K({2, 1})}, testing::TwoInputs(), batching),
              "differs from the other inputs'");
  // Only the leading dim is free.
  ExpectError(ValidateInputs({X({3, 3}), K({3, 1})}, testing::TwoInputs(), batching), "(dim 1)");
}

TEST(TensorValidatorTest, NegativeModelDimsAreFree) {
  std::vector<engine::TensorInfo> model = {Info("x", engine::DataType::kFloat32, {1, -1})};
  EXPECT_TRUE(ValidateInputs({X({1, 7})}, model, {}).ok());
}

TEST(TensorValidatorTest, RefusesDataLengthDisagreeingWithShape) {
  TensorPayload x = X();
  x.data.resize(4);
  ExpectError(ValidateInputs({x, K()}, testing::TwoInputs(), {}),
              "input \"x\": has 1 elements (4 bytes) but shape [1,2] needs 2");
}

}  // namespace
}  // namespace s3ml::serving
