// V2HeaderCache through ParseV2InferRequest: a remembered header gives exactly the full parse's
// answer, anything else gets the full parse (and its errors), and the cache stays bounded.
#include "serving/v2_header_cache.h"

#include <gtest/gtest.h>

#include "tests/serving/test_models.h"

namespace s3ml::serving {
namespace {

using testing::Bytes;

// Two binary inputs in the opposite of the model's order (TwoInputs: x FP32 [1,2], k INT32 [1,1]).
const std::string kHeader =
    R"({"id":"r-1","parameters":{"binary_data_output":true,"note":"n"},"inputs":[)"
    R"({"name":"k","shape":[1,1],"datatype":"INT32","parameters":{"binary_data_size":4}},)"
    R"({"name":"x","shape":[1,2],"datatype":"FP32","parameters":{"binary_data_size":8}}]})";

std::vector<uint8_t> Body(const std::string& header, int32_t k, float x0, float x1, int extra_bytes = 0) {
  std::vector<uint8_t> body(header.begin(), header.end());
  for (const std::vector<uint8_t>& part : {Bytes<int32_t>({k}), Bytes<float>({x0, x1})}) {
    body.insert(body.end(), part.begin(), part.end());
  }
  if (extra_bytes < 0) body.resize(body.size() - static_cast<size_t>(-extra_bytes));
  body.insert(body.end(), static_cast<size_t>(std::max(0, extra_bytes)), 0);
  return body;
}

Result<V2InferRequest> Parse(const std::vector<uint8_t>& body, size_t header_length, V2HeaderCache* cache) {
  return ParseV2InferRequest(body, header_length, testing::TwoInputs(), {}, {}, cache);
}

void ExpectSameRequest(const V2InferRequest& a, const V2InferRequest& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.parameters, b.parameters);
  EXPECT_EQ(a.inputs, b.inputs);
  ASSERT_EQ(a.outputs.size(), b.outputs.size());
  for (size_t i = 0; i < a.outputs.size(); ++i) {
    EXPECT_EQ(a.outputs[i].name, b.outputs[i].name);
    EXPECT_EQ(a.outputs[i].binary_data, b.outputs[i].binary_data);
  }
  EXPECT_EQ(a.binary_data_output, b.binary_data_output);
}

TEST(V2HeaderCacheTest, ARepeatedHeaderGivesExactlyTheFullParse) {
  V2HeaderCache cache;
  ASSERT_TRUE(Parse(Body(kHeader, 1, 0.5f, 1.5f), kHeader.size(), &cache).ok());
  ASSERT_EQ(cache.size(), 1u);
  // The same header with other data: answered from the cache, equal to a parse without one.
  const std::vector<uint8_t> body = Body(kHeader, -7, 2.5f, -3.25f);
  ASSERT_TRUE(cache.Find(kHeader, std::span<const uint8_t>(body).subspan(kHeader.size())).has_value());
  Result<V2InferRequest> cached = Parse(body, kHeader.size(), &cache);
  Result<V2InferRequest> fresh = Parse(body, kHeader.size(), nullptr);
  ASSERT_TRUE(cached.ok()) << cached.status().ToString();
  ASSERT_TRUE(fresh.ok());
  ExpectSameRequest(cached.value(), fresh.value());
  ASSERT_EQ(cached->inputs.size(), 2u);
  EXPECT_EQ(cached->inputs[0].name, "x");  // model order
  EXPECT_EQ(cached->inputs[0].data, Bytes<float>({2.5f, -3.25f}));
  EXPECT_EQ(cached->inputs[1].data, Bytes<int32_t>({-7}));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(V2HeaderCacheTest, ABinarySectionOfAnotherSizeGetsTheParsesError) {
  V2HeaderCache cache;
  ASSERT_TRUE(Parse(Body(kHeader, 1, 0.5f, 1.5f), kHeader.size(), &cache).ok());
  Result<V2InferRequest> short_body = Parse(Body(kHeader, 1, 0.5f, 1.5f, -1), kHeader.size(), &cache);
  ASSERT_FALSE(short_body.ok());
  EXPECT_NE(short_body.status().message().find("exceeds the 7 binary bytes"), std::string::npos)
      << short_body.status().message();
  Result<V2InferRequest> long_body = Parse(Body(kHeader, 1, 0.5f, 1.5f, 3), kHeader.size(), &cache);
  ASSERT_FALSE(long_body.ok());
  EXPECT_NE(long_body.status().message().find("3 bytes after the last binary input"), std::string::npos);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(V2HeaderCacheTest, OnlySuccessfulAllBinaryParsesAreKept) {
  V2HeaderCache cache;
  // Inline "data" (JSON tensors, and a mix): the data is in the header, nothing to reuse.
  const std::string json = R"({"inputs":[{"name":"k","shape":[1,1],"datatype":"INT32","data":[3]},)"
                           R"({"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]})";
  const std::vector<uint8_t> json_body(json.begin(), json.end());
  ASSERT_TRUE(ParseV2InferRequest(json_body, std::nullopt, testing::TwoInputs(), {}, {}, &cache).ok());
  ASSERT_TRUE(ParseV2InferRequest(json_body, json.size(), testing::TwoInputs(), {}, {}, &cache).ok());
  const std::string mixed =
      R"({"inputs":[{"name":"k","shape":[1,1],"datatype":"INT32","parameters":{"binary_data_size":4}},)"
      R"({"name":"x","shape":[1,2],"datatype":"FP32","data":[1,2]}]})";
  std::vector<uint8_t> mixed_body(mixed.begin(), mixed.end());
  for (uint8_t b : Bytes<int32_t>({5})) mixed_body.push_back(b);
  ASSERT_TRUE(Parse(mixed_body, mixed.size(), &cache).ok());
  // A refused request (wrong shape for x) is refused again, and not kept.
  std::string bad = kHeader;
  bad.replace(bad.find("[1,2]"), 5, "[1,3]");
  for (int i = 0; i < 2; ++i) EXPECT_FALSE(Parse(Body(bad, 1, 0.5f, 1.5f), bad.size(), &cache).ok());
  EXPECT_EQ(cache.size(), 0u);
}

TEST(V2HeaderCacheTest, StaysBounded) {
  V2HeaderCache cache;
  for (size_t i = 0; i < V2HeaderCache::kMaxEntries + 5; ++i) {
    std::string header = kHeader;
    header.replace(header.find("r-1"), 3, "r-" + std::to_string(100 + i));
    ASSERT_TRUE(Parse(Body(header, 1, 0.5f, 1.5f), header.size(), &cache).ok());
  }
  EXPECT_EQ(cache.size(), V2HeaderCache::kMaxEntries);
  // The newest are there, the oldest replaced.
  std::string newest = kHeader;
  newest.replace(newest.find("r-1"), 3, "r-" + std::to_string(100 + V2HeaderCache::kMaxEntries + 4));
  std::vector<uint8_t> section = Body("", 1, 0.5f, 1.5f);
  EXPECT_TRUE(cache.Find(newest, section).has_value());
  std::string oldest = kHeader;
  oldest.replace(oldest.find("r-1"), 3, "r-100");
  EXPECT_FALSE(cache.Find(oldest, section).has_value());

  V2HeaderCache big;
  std::string huge = kHeader;
  huge.replace(huge.find("r-1"), 3, std::string(V2HeaderCache::kMaxHeaderBytes, 'i'));
  ASSERT_TRUE(Parse(Body(huge, 1, 0.5f, 1.5f), huge.size(), &big).ok());
  EXPECT_EQ(big.size(), 0u);
}

}  // namespace
}  // namespace s3ml::serving
