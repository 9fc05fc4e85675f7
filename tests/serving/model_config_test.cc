#include "serving/model_config.h"

#include <gtest/gtest.h>

namespace s3ml::serving {
namespace {

void ExpectError(std::string_view text, const std::string& needle) {
  Result<ModelConfig> config = ParseModelConfig(text);
  ASSERT_FALSE(config.ok()) << text;
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find(needle), std::string::npos) << config.status().message();
}

TEST(ModelConfigTest, EmptyObjectGivesDefaults) {
  Result<ModelConfig> config = ParseModelConfig("{}");
  ASSERT_TRUE(config.ok());
  EXPECT_FALSE(config->batching.has_value());
  EXPECT_EQ(config->version_policy.kind, VersionPolicy::Kind::kLatest);
  EXPECT_EQ(config->version_policy.latest, 1);
  EXPECT_TRUE(config->labels_file.empty());
}

TEST(ModelConfigTest, ParsesEveryKey) {
  Result<ModelConfig> config = ParseModelConfig(R"({"inputs":["image"],"outputs":["scores","label"],
      "labels":"labels.txt",
      "batching":{"max_batch":8,"max_queue_delay_us":2000,"max_queue_size":64},
      "version_policy":{"specific":[3,1]}})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->input_names, std::vector<std::string>{"image"});
  EXPECT_EQ(config->output_names, (std::vector<std::string>{"scores", "label"}));
  EXPECT_EQ(config->labels_file, "labels.txt");
  ASSERT_TRUE(config->batching.has_value());
  EXPECT_EQ(config->batching->max_batch_size, 8u);
  EXPECT_EQ(config->batching->max_queue_delay, std::chrono::microseconds(2000));
  EXPECT_EQ(config->batching->max_queue_size, 64u);
  EXPECT_EQ(config->version_policy.kind, VersionPolicy::Kind::kSpecific);
  EXPECT_EQ(config->version_policy.specific, (std::vector<int64_t>{1, 3}));
  Result<ModelConfig> latest = ParseModelConfig(R"({"version_policy":{"latest":2}})");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->version_policy.latest, 2);
}

TEST(ModelConfigTest, RefusesBadConfigs) {
  ExpectError("{", "malformed JSON");
  ExpectError("[]", "not a JSON object");
  ExpectError(R"({"batchin":{}})", "unknown key \"batchin\"");
  ExpectError(R"({"inputs":"image"})", "\"inputs\" is not an array");
  ExpectError(R"({"outputs":["a","a"]})", "lists \"a\" twice");
  ExpectError(R"({"inputs":[""]})", "not a non-empty string");
  ExpectError(R"({"labels":"../secret"})", "plain file name");
  ExpectError(R"({"labels":"/etc/passwd"})", "plain file name");
  ExpectError(R"({"labels":7})", "plain file name");
  ExpectError(R"({"batching":{"max_batch":0,"max_queue_delay_us":1,"max_queue_size":1}})",
              "\"max_batch\" 0 is outside [1, 1024]");
  ExpectError(R"({"batching":{"max_batch":2,"max_queue_delay_us":-1,"max_queue_size":1}})",
              "\"max_queue_delay_us\" -1 is outside");
  ExpectError(R"({"batching":{"max_batch":2,"max_queue_delay_us":1,"max_queue_size":18446744073709551615}})",
              "\"max_queue_size\" 18446744073709551615 is outside");
  ExpectError(R"({"batching":{"max_batch":2,"max_queue_delay_us":1}})", "needs \"max_queue_size\"");
  ExpectError(R"({"batching":{"max_batch":2.5,"max_queue_delay_us":1,"max_queue_size":1}})",
              "\"max_batch\" is not an integer");
  ExpectError(R"({"batching":{"max_batch":2,"max_queue_delay_us":1,"max_queue_size":1,"x":1}})",
              "unknown key \"x\"");
  ExpectError(R"({"version_policy":{"latest":0}})", "\"latest\" 0 is outside");
  ExpectError(R"({"version_policy":{"latest":1,"specific":[1]}})", "must be {\"latest\": N}");
  ExpectError(R"({"version_policy":{"all":true}})", "must be {\"latest\": N}");
  ExpectError(R"({"version_policy":{"specific":[]}})", "must list 1 to");
  ExpectError(R"({"version_policy":{"specific":[1,"2"]}})", "entry \"2\" is not a version number");
  ExpectError(R"({"version_policy":{"specific":[-1]}})", "is not a version number");
  ExpectError(R"({"version_policy":{"specific":[2,2]}})", "lists a version twice");
}

TEST(ModelConfigTest, SafeNames) {
  EXPECT_TRUE(IsSafeRepositoryName("mnist_v2-int8.q"));
  EXPECT_FALSE(IsSafeRepositoryName(""));
  EXPECT_FALSE(IsSafeRepositoryName("."));
  EXPECT_FALSE(IsSafeRepositoryName(".."));
  EXPECT_FALSE(IsSafeRepositoryName(".hidden"));
  EXPECT_FALSE(IsSafeRepositoryName("a/b"));
  EXPECT_FALSE(IsSafeRepositoryName("a b"));
  EXPECT_FALSE(IsSafeRepositoryName("caf\xc3\xa9"));
  EXPECT_FALSE(IsSafeRepositoryName(std::string(129, 'a')));
}

}  // namespace
}  // namespace s3ml::serving

namespace s3ml::serving {
namespace {

engine::TensorInfo Named(std::string name) {
  engine::TensorInfo info;
  info.name = std::move(name);
  return info;
}

TEST(ModelConfigTest, ConfigNamesMustExistInTheModel) {
  ModelConfig config = ParseModelConfig(R"({"inputs":["image"],"outputs":["scores"]})").value();
  EXPECT_TRUE(CheckConfigMatchesModel(config, {Named("image")}, {Named("scores"), Named("x")}).ok());
  Status missing = CheckConfigMatchesModel(config, {Named("pixels")}, {Named("scores")});
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("input \"image\""), std::string::npos);
  EXPECT_FALSE(CheckConfigMatchesModel(config, {Named("image")}, {}).ok());
}

TEST(ModelConfigTest, ValidationFollowsBatching) {
  ValidationOptions off = ValidationOptionsFor(ParseModelConfig("{}").value());
  EXPECT_FALSE(off.allow_batch_dim);
  ValidationOptions on = ValidationOptionsFor(
      ParseModelConfig(R"({"batching":{"max_batch":6,"max_queue_delay_us":0,"max_queue_size":2}})").value());
  EXPECT_TRUE(on.allow_batch_dim);
  EXPECT_EQ(on.max_batch_size, 6);
}

}  // namespace
}  // namespace s3ml::serving
