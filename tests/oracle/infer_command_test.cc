// `s3ml infer` end to end: the built CLI on the shipped models, its --json shape and its errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace {

using ::testing::HasSubstr;

const std::string kS3ml = S3ML_BINARY_DIR "/bin/s3ml";
const std::string kCoral = S3ML_TESTDATA_DIR "/models/coral/";

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CommandResult RunS3ml(const std::string& arguments) {
  CommandResult result;
  FILE* pipe = popen((kS3ml + " " + arguments + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

TEST(InferCommandTest, JsonHasTheDocumentedShape) {
  CommandResult run = RunS3ml("infer --model " + kCoral + "mobilenet_v1_0.25_128_quant.tflite --input " + kCoral +
                              "cat.bmp --labels " + kCoral + "imagenet_labels.txt --top 3 --repeat 3 --json");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const nlohmann::json out = nlohmann::json::parse(run.output);
  std::vector<std::string> keys;
  for (const auto& item : out.items()) keys.push_back(item.key());
  EXPECT_THAT(keys, ::testing::UnorderedElementsAre("model", "outputs", "top", "latency_ms", "arena_bytes",
                                                    "peak_rss_bytes"));
  EXPECT_THAT(out["model"].get<std::string>(), HasSubstr("mobilenet_v1_0.25_128_quant.tflite"));
  ASSERT_EQ(out["outputs"].size(), 1u);
  EXPECT_EQ(out["outputs"][0]["dtype"], "uint8");
  EXPECT_EQ(out["outputs"][0]["shape"], nlohmann::json({1, 1001}));
  EXPECT_TRUE(out["outputs"][0]["name"].is_string());
  ASSERT_EQ(out["top"].size(), 3u);
  const int best = out["top"][0]["index"];
  EXPECT_GE(best, 281);
  EXPECT_LE(best, 286);
  EXPECT_THAT(out["top"][0]["label"].get<std::string>(), HasSubstr("cat"));
  EXPECT_GE(out["top"][0]["score"].get<double>(), out["top"][1]["score"].get<double>());
  const double min = out["latency_ms"]["min"], median = out["latency_ms"]["median"], max = out["latency_ms"]["max"];
  EXPECT_GT(min, 0);
  EXPECT_LE(min, median);
  EXPECT_LE(median, max);
  EXPECT_GT(out["arena_bytes"].get<int64_t>(), 0);
  EXPECT_GT(out["peak_rss_bytes"].get<int64_t>(), 1 << 20);
}

TEST(InferCommandTest, HumanOutputListsClassesLatencyAndArena) {
  CommandResult run = RunS3ml("infer --model " + kCoral + "mobilenet_v1_0.5_160_quant.tflite --input " + kCoral +
                              "cat.bmp --labels " + kCoral + "imagenet_labels.txt --top 2");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("286 Egyptian cat 0."));
  EXPECT_THAT(run.output, HasSubstr("latency_ms min "));
  EXPECT_THAT(run.output, HasSubstr("arena_bytes "));
}

TEST(InferCommandTest, ErrorsExitNonZeroWithTheReason) {
  CommandResult wrong_size =
      RunS3ml("infer --model " + kCoral + "mobilenet_v1_0.25_128_quant.tflite --input " + kCoral + "bird.rgb");
  EXPECT_NE(wrong_size.exit_code, 0);
  EXPECT_THAT(wrong_size.output, HasSubstr("raw input is 150528 bytes"));

  CommandResult missing = RunS3ml("infer --model /nonexistent.tflite --input " + kCoral + "bird.rgb");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_THAT(missing.output, HasSubstr("/nonexistent.tflite"));

  CommandResult custom_op = RunS3ml("infer --model " + kCoral + "model_invoking_error.tflite --input " + kCoral +
                                    "bird.rgb");
  EXPECT_NE(custom_op.exit_code, 0);
  EXPECT_THAT(custom_op.output, HasSubstr("CUSTOM"));

  // A BMP cut in the middle of its pixels.
  const std::string truncated = ::testing::TempDir() + "/s3ml_truncated_cat.bmp";
  {
    std::ifstream in(kCoral + "cat.bmp", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  CommandResult cut = RunS3ml("infer --model " + kCoral + "mobilenet_v1_0.25_128_quant.tflite --input " + truncated);
  EXPECT_NE(cut.exit_code, 0);
  EXPECT_THAT(cut.output, HasSubstr("BMP"));
  std::remove(truncated.c_str());

  CommandResult bad_top = RunS3ml("infer --model " + kCoral + "mobilenet_v1_0.25_128_quant.tflite --input " + kCoral +
                                  "cat.bmp --top 0");
  EXPECT_NE(bad_top.exit_code, 0);
}

}  // namespace
