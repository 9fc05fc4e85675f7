// Mutated bodies through every parser: each must answer with a value (ok or a 4xx-class error),
// never crash, hang or report an internal error. Deterministic (fixed seed) and bounded so the
// suite stays fast; the sanitizer build turns any memory error here into a failure.
#include <gtest/gtest.h>

#include <random>

#include "core/byte_reader.h"
#include "serving/http_status.h"
#include "serving/kserve_v2_request.h"
#include "serving/model_config.h"
#include "serving/tf_serving_v1_codec.h"
#include "tests/serving/test_models.h"

namespace s3ml::serving {
namespace {

constexpr int kMutationsPerSeed = 3000;

std::string Mutate(std::string text, std::mt19937& rng) {
  static constexpr char kInteresting[] = "[]{}\",:-.0123456789eE \x00\xff";
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits && !text.empty(); ++e) {
    const size_t pos = rng() % text.size();
    switch (rng() % 3) {
      case 0: text[pos] = kInteresting[rng() % (sizeof(kInteresting) - 1)]; break;
      case 1: text.erase(pos, 1 + rng() % 8); break;
      case 2: text.insert(pos, text.substr(rng() % text.size(), rng() % 16)); break;
    }
  }
  return text;
}

void ExpectClientError(const Status& status, const std::string& input) {
  if (status.ok()) return;
  EXPECT_EQ(HttpStatusFor(status), 400) << status.ToString() << "\ninput: " << input;
}

TEST(CodecRobustnessTest, V2RequestsSurviveMutation) {
  const std::string header =
      R"({"id":"x","inputs":[{"name":"k","shape":[1,1],"datatype":"INT32","parameters":{"binary_data_size":4}},)"
      R"({"name":"x","shape":[1,2],"datatype":"FP32","data":[[1.5,2.5]]}],)"
      R"("outputs":[{"name":"y","parameters":{"binary_data":true}}]})";
  const std::vector<engine::TensorInfo> outputs = {testing::Info("y", engine::DataType::kFloat32, {1})};
  std::mt19937 rng(1234);
  int accepted = 0;
  for (int i = 0; i < kMutationsPerSeed; ++i) {
    std::string mutated = Mutate(header, rng);
    std::string body = mutated + std::string("\x07\x00\x00\x00", 4);
    const size_t header_length = rng() % 4 == 0 ? rng() % (body.size() + 2) : mutated.size();
    Result<V2InferRequest> parsed = ParseV2InferRequest(AsBytes(body), header_length,
                                                        testing::TwoInputs(), outputs, {});
    accepted += parsed.ok();
    ExpectClientError(parsed.status(), body);
  }
  // The unmutated body parses, so the loop exercised both outcomes' code paths.
  std::string body = header + std::string("\x07\x00\x00\x00", 4);
  EXPECT_TRUE(ParseV2InferRequest(AsBytes(body), header.size(), testing::TwoInputs(), outputs, {}).ok());
  EXPECT_LT(accepted, kMutationsPerSeed);
}

TEST(CodecRobustnessTest, V1RequestsSurviveMutation) {
  const std::string body = R"({"instances":[{"x":[1.0,2.0],"k":[3]},{"x":[4,5],"k":[-6]}]})";
  ASSERT_TRUE(ParseV1PredictRequest(body, testing::TwoInputs(), {.allow_batch_dim = true}).ok());
  std::mt19937 rng(99);
  for (int i = 0; i < kMutationsPerSeed; ++i) {
    std::string mutated = Mutate(body, rng);
    ExpectClientError(ParseV1PredictRequest(mutated, testing::TwoInputs(), {.allow_batch_dim = true}).status(),
                      mutated);
  }
}

TEST(CodecRobustnessTest, ConfigsSurviveMutation) {
  const std::string config = R"({"inputs":["a"],"labels":"l.txt",)"
                             R"("batching":{"max_batch":8,"max_queue_delay_us":2000,"max_queue_size":64},)"
                             R"("version_policy":{"specific":[1,3]}})";
  ASSERT_TRUE(ParseModelConfig(config).ok());
  std::mt19937 rng(7);
  for (int i = 0; i < kMutationsPerSeed; ++i) {
    std::string mutated = Mutate(config, rng);
    ExpectClientError(ParseModelConfig(mutated).status(), mutated);
  }
}

}  // namespace
}  // namespace s3ml::serving
