#include "attest/signed_json.h"

#include <gtest/gtest.h>

namespace s3ml::attest {
namespace {

const std::string kSig(128, 'a');

TEST(SignedJsonTest, KeepsExactMemberBytes) {
  // Odd spacing and key order that a re-serialisation would change.
  std::string doc = "{ \"tcbInfo\" : {\"b\":1,  \"a\":[1, {\"x\":\"}\"}], \"s\":\"q\\\"}\"} ,\"signature\":\"" + kSig + "\"}";
  auto parsed = ParseSignedJson(doc, "tcbInfo");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->signed_text, "{\"b\":1,  \"a\":[1, {\"x\":\"}\"}], \"s\":\"q\\\"}\"}");
  EXPECT_EQ(parsed->value["b"], 1);
  EXPECT_EQ(parsed->signature.size(), 64u);
  EXPECT_EQ(parsed->signature[0], 0xaa);
}

TEST(SignedJsonTest, SignatureFirstAlsoWorks) {
  std::string doc = "{\"signature\":\"" + kSig + "\",\"enclaveIdentity\":{\"id\":\"QE\"}}";
  auto parsed = ParseSignedJson(doc, "enclaveIdentity");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->signed_text, "{\"id\":\"QE\"}");
}

TEST(SignedJsonTest, RefusesMalformedDocuments) {
  auto code = [](const std::string& doc) { return ParseSignedJson(doc, "tcbInfo").status().code(); };
  EXPECT_EQ(code("{\"tcbInfo\":{}"), StatusCode::kInvalidArgument);  // truncated
  EXPECT_EQ(code("[]"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("{\"tcbInfo\":{}}"), StatusCode::kInvalidArgument);  // no signature
  EXPECT_EQ(code("{\"tcbInfo\":{},\"signature\":\"" + kSig + "\",\"extra\":1}"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("{\"tcbInfo\":[],\"signature\":\"" + kSig + "\"}"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("{\"tcbInfo\":{},\"signature\":\"abcd\"}"), StatusCode::kInvalidArgument);  // short signature
  EXPECT_EQ(code("{\"tcbInfo\":{},\"signature\":\"" + std::string(128, 'z') + "\"}"), StatusCode::kInvalidArgument);
  // A duplicated member would let the verified bytes differ from the used value.
  auto dup = ParseSignedJson("{\"tcbInfo\":{\"a\":1},\"tcbInfo\":{\"a\":2},\"signature\":\"" + kSig + "\"}", "tcbInfo");
  EXPECT_FALSE(dup.ok());
  // An escaped key names the same member but is not found in raw form: refused, not misread.
  auto escaped = ParseSignedJson("{\"\\u0074cbInfo\":{},\"signature\":\"" + kSig + "\"}", "tcbInfo");
  EXPECT_EQ(escaped.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSignedJson(std::string(kMaxSignedJsonSize + 1, ' '), "tcbInfo").status().code(),
            StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace s3ml::attest
