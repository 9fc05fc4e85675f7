#include "crypto/secret_bytes.h"

#include <gtest/gtest.h>

#include <vector>

namespace s3ml::crypto {
namespace {

TEST(SecretBytesTest, MoveLeavesSourceEmptyAndKeepsContents) {
  std::vector<uint8_t> raw = {1, 2, 3, 4};
  SecretBytes a(raw);
  SecretBytes b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_TRUE(b.Equals(raw));
  SecretBytes c;
  c = std::move(b);
  EXPECT_TRUE(c.Equals(raw));
  EXPECT_FALSE(c.Equals(std::vector<uint8_t>{1, 2, 3, 5}));
  EXPECT_FALSE(c.Equals(std::vector<uint8_t>{1, 2, 3}));
}

TEST(SecretBytesTest, ClearAndTruncate) {
  SecretBytes s(std::vector<uint8_t>{9, 9, 9, 9});
  s.Truncate(2);
  EXPECT_TRUE(s.Equals(std::vector<uint8_t>{9, 9}));
  s.Truncate(10);  // no-op when longer
  EXPECT_EQ(s.size(), 2u);
  s.Clear();
  EXPECT_TRUE(s.empty());
}

TEST(SecretBytesTest, CloneIsIndependent) {
  SecretBytes s(std::vector<uint8_t>{7, 7});
  SecretBytes t = s.Clone();
  t.data()[0] = 1;
  EXPECT_TRUE(s.Equals(std::vector<uint8_t>{7, 7}));
}

}  // namespace
}  // namespace s3ml::crypto
