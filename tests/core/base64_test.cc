// core/base64: RFC 4648 vectors, round trips, strict refusal of malformed or non-canonical text,
// and the decoded-size limit.
#include "core/base64.h"

#include <gtest/gtest.h>

namespace s3ml {
namespace {

std::vector<uint8_t> B(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},        {"f", "Zg=="},        {"fo", "Zm8="},
                                                         {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(B(plain)), encoded);
    EXPECT_EQ(Base64Encode(std::string_view(plain)), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, B(plain));
  }
}

TEST(Base64Test, AllByteValuesAndLengthsRoundTrip) {
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(Base64Decode(Base64Encode(all)).value(), all);
  // Every remainder modulo 3, with the high characters '+' and '/'.
  const std::vector<uint8_t> bytes = {0, 1, 2, 250, 251, 252, 253};
  EXPECT_EQ(Base64Encode(bytes), "AAEC+vv8/Q==");
  for (size_t n = 0; n <= bytes.size(); ++n) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + n);
    EXPECT_EQ(Base64Decode(Base64Encode(prefix)).value(), prefix) << n;
  }
}

TEST(Base64Test, MalformedInputIsRefused) {
  for (const char* bad : {"Zg", "Zg=", "AAE", "Z===", "A===", "====", "Zm9v\n", " Zm9v", "Zm9v\nYg==", "AA C", "Zm=v",
                          "Zm=vYg==", "AA=C", "Zm9-", "Zm9_", "Zm9=Zm9v", "Zg==Zg==", "AAEC+vv8/Q=a"}) {
    auto r = Base64Decode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  // A NUL inside the text is a character like any other, not an end.
  EXPECT_FALSE(Base64Decode(std::string_view("Zm9\0", 4)).ok());
}

TEST(Base64Test, NonCanonicalPaddingBitsAreRefused) {
  // "Zh==" and "Zm9vYh==" would decode to the same bytes as "Zg==" / "Zm9vYg==" if unused bits
  // were ignored.
  for (const char* bad : {"Zh==", "Zm9vYh==", "Zm9=", "Zm9vYmF="}) {
    auto r = Base64Decode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("canonical"), std::string::npos) << r.status().ToString();
  }
  EXPECT_TRUE(Base64Decode("Zm8=").ok());
}

TEST(Base64Test, DecodedSizeLimitIsEnforcedExactly) {
  EXPECT_EQ(Base64Decode("AAAAAAAA", 3).status().code(), StatusCode::kResourceExhausted);  // 6 bytes
  EXPECT_EQ(Base64Decode("AAAAAAAA", 6).value().size(), 6u);
  EXPECT_EQ(Base64Decode("AAAAAA==", 4).value().size(), 4u);  // padding counts: 4 bytes, not 6
  EXPECT_EQ(Base64Decode("AAAAAA==", 3).status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(Base64Decode("", 0).ok());
  EXPECT_EQ(Base64Decode("AA==", 0).status().code(), StatusCode::kResourceExhausted);
  // Far over the limit: refused before decoding, even if the text is not valid base64.
  const std::string huge(4000, '!');
  EXPECT_EQ(Base64Decode(huge, 16).status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace s3ml
