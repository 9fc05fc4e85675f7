#include "client/encrypted_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

namespace s3ml::client {
namespace {

std::vector<uint8_t> Key(uint8_t fill) { return std::vector<uint8_t>(kModelKeySize, fill); }

std::vector<uint8_t> Model() {
  std::vector<uint8_t> m(1000);
  for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<uint8_t>(i * 7 + 3);
  return m;
}

TEST(EncryptedModelTest, RoundTripsAndHasTheDocumentedLayout) {
  const auto model = Model();
  auto file = EncryptModel(Key(1), "mobilenet_v2", 3, model);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->size(), 8 + 12 + model.size() + 16);
  EXPECT_EQ(std::memcmp(file->data(), "S3MLMOD1", 8), 0);
  // No plaintext run survives in the file.
  EXPECT_EQ(std::search(file->begin(), file->end(), model.begin(), model.begin() + 32), file->end());
  auto plain = DecryptModel(Key(1), "mobilenet_v2", 3, *file);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_TRUE(plain->Equals(model));
}

TEST(EncryptedModelTest, EncryptionIsRandomised) {
  auto a = EncryptModel(Key(1), "m", 1, Model());
  auto b = EncryptModel(Key(1), "m", 1, Model());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);  // fresh nonce each time
}

TEST(EncryptedModelTest, EmptyModelRoundTrips) {
  auto file = EncryptModel(Key(2), "m", 1, {});
  ASSERT_TRUE(file.ok());
  auto plain = DecryptModel(Key(2), "m", 1, *file);
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->empty());
}

TEST(EncryptedModelTest, WrongKeyNameOrVersionIsDataLoss) {
  auto file = EncryptModel(Key(1), "mobilenet_v2", 3, Model());
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(DecryptModel(Key(2), "mobilenet_v2", 3, *file).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(DecryptModel(Key(1), "mobilenet_v1", 3, *file).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(DecryptModel(Key(1), "mobilenet_v2", 4, *file).status().code(), StatusCode::kDataLoss);
  // The length prefix keeps name/version boundaries apart: "ab"+v vs "a"+... differ.
  EXPECT_EQ(DecryptModel(Key(1), "mobilenet_v", 3, *file).status().code(), StatusCode::kDataLoss);
}

TEST(EncryptedModelTest, TruncationIsAnError) {
  auto file = EncryptModel(Key(1), "m", 1, Model());
  ASSERT_TRUE(file.ok());
  for (size_t keep : {size_t{0}, size_t{4}, size_t{8}, size_t{20}, size_t{35}, file->size() - 1}) {
    std::vector<uint8_t> cut(file->begin(), file->begin() + keep);
    auto r = DecryptModel(Key(1), "m", 1, cut);
    ASSERT_FALSE(r.ok()) << keep;
    EXPECT_TRUE(r.status().code() == StatusCode::kDataLoss || r.status().code() == StatusCode::kInvalidArgument)
        << keep << ": " << r.status().ToString();
  }
  std::vector<uint8_t> header_only(file->begin(), file->begin() + 8 + 12 + 15);
  EXPECT_EQ(DecryptModel(Key(1), "m", 1, header_only).status().code(), StatusCode::kDataLoss);
}

TEST(EncryptedModelTest, EveryFlippedByteAfterTheMagicIsDataLoss) {
  auto file = EncryptModel(Key(1), "m", 1, std::vector<uint8_t>(40, 9));
  ASSERT_TRUE(file.ok());
  for (size_t i = 8; i < file->size(); ++i) {
    std::vector<uint8_t> altered = *file;
    altered[i] ^= 0x01;
    EXPECT_EQ(DecryptModel(Key(1), "m", 1, altered).status().code(), StatusCode::kDataLoss) << "byte " << i;
  }
}

TEST(EncryptedModelTest, WrongMagicOrKeySizeIsInvalidArgument) {
  auto file = EncryptModel(Key(1), "m", 1, Model());
  ASSERT_TRUE(file.ok());
  std::vector<uint8_t> altered = *file;
  altered[7] = '2';  // "S3MLMOD2"
  EXPECT_EQ(DecryptModel(Key(1), "m", 1, altered).status().code(), StatusCode::kInvalidArgument);
  const std::string tflite = "\x1c\x00\x00\x00TFL3 plaintext model";
  EXPECT_EQ(DecryptModel(Key(1), "m", 1, std::vector<uint8_t>(tflite.begin(), tflite.end())).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(DecryptModel(std::vector<uint8_t>(16), "m", 1, *file).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncryptModel(std::vector<uint8_t>(31), "m", 1, Model()).status().code(), StatusCode::kInvalidArgument);
}

TEST(EncryptedModelTest, AadIsTheDocumentedLayout) {
  std::vector<uint8_t> aad = ModelAad("ab", 0x0102030405060708ULL);
  const std::string label = "s3ml-model-v1";
  std::vector<uint8_t> expected(label.begin(), label.end());
  for (int b : {2, 0, 0, 0, int{'a'}, int{'b'}, 8, 7, 6, 5, 4, 3, 2, 1}) expected.push_back(static_cast<uint8_t>(b));
  EXPECT_EQ(aad, expected);
}

}  // namespace
}  // namespace s3ml::client

namespace s3ml::client {
namespace {

TEST(EncryptedLabelsTest, RoundTripsUnderTheModelKeyNameAndVersion) {
  const std::string text = "background\ntench\n";
  const std::vector<uint8_t> plain(text.begin(), text.end());
  auto file = EncryptLabels(Key(1), "mobilenet_v2", 3, plain);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->size(), 8 + 12 + plain.size() + 16);
  EXPECT_EQ(std::memcmp(file->data(), "S3MLLBL1", 8), 0);
  auto opened = DecryptLabels(Key(1), "mobilenet_v2", 3, *file);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, text);
}

TEST(EncryptedLabelsTest, RefusesOtherKeysNamesVersionsAlteredBytesAndModelFiles) {
  const std::vector<uint8_t> plain = {'c', 'a', 't'};
  auto file = EncryptLabels(Key(1), "m", 1, plain);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(DecryptLabels(Key(2), "m", 1, *file).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(DecryptLabels(Key(1), "other", 1, *file).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(DecryptLabels(Key(1), "m", 2, *file).status().code(), StatusCode::kDataLoss);  // another version's
  std::vector<uint8_t> altered = *file;
  altered[20] ^= 1;
  EXPECT_EQ(DecryptLabels(Key(1), "m", 1, altered).status().code(), StatusCode::kDataLoss);
  // A plain labels file, and a model file (or a labels file presented as a model) of the same
  // key, name and version, are refused: the magics differ, and so do the AADs behind them.
  EXPECT_EQ(DecryptLabels(Key(1), "m", 1, plain).status().code(), StatusCode::kInvalidArgument);
  auto model = EncryptModel(Key(1), "m", 1, plain);
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(DecryptLabels(Key(1), "m", 1, *model).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecryptModel(Key(1), "m", 1, *file).status().code(), StatusCode::kInvalidArgument);
  std::vector<uint8_t> relabelled = *model;
  std::memcpy(relabelled.data(), "S3MLLBL1", 8);
  EXPECT_EQ(DecryptLabels(Key(1), "m", 1, relabelled).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace s3ml::client
