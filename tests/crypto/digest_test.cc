#include "crypto/digest.h"

#include <gtest/gtest.h>

#include "core/hex.h"
#include "crypto/random.h"

namespace s3ml::crypto {
namespace {

TEST(DigestTest, Sha256KnownAnswer) {
  EXPECT_EQ(HexEncode(Sha256(AsBytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(DigestTest, Sha384KnownAnswer) {
  EXPECT_EQ(HexEncode(Sha384(AsBytes("abc"))),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
}

TEST(DigestTest, IncrementalEqualsOneShot) {
  Digester d(DigestAlgorithm::kSha256);
  d.Update(AsBytes("a")).Update(AsBytes("bc"));
  auto v = d.Finish();
  auto one = Sha256(AsBytes("abc"));
  EXPECT_EQ(std::vector<uint8_t>(one.begin(), one.end()), v);
}

TEST(RandomTest, BytesDifferAndHaveRequestedSize) {
  auto a = RandomBytes(32);
  auto b = RandomBytes(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(a.value(), b.value());
  auto s = RandomSecret(16);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->size(), 16u);
}

}  // namespace
}  // namespace s3ml::crypto
