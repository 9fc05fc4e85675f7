// `s3ml infer`: runs one input through a local .tflite model on the s3ml engine and prints the
// top classes, latency and memory (human-readable, or one JSON object with --json).
//
//   s3ml infer --model m.tflite --input cat.bmp [--labels labels.txt] [--top 5] [--threads 1]
//              [--repeat 1] [--mean 127.5 --std 127.5] [--json]
//
// Inputs are decoded by extension (client/input_loader.h): .bmp images are adapted to the model's
// input, .npy and raw files must match it exactly. Repeat --input once per model input, in order.
#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "apps/s3ml/command.h"
#include "client/input_loader.h"
#include "client/label_map.h"
#include "client/latency_summary.h"
#include "client/top_k.h"
#include "core/clock.h"
#include "core/file.h"
#include "engine/model.h"

namespace {

using s3ml::cli::CheckOk;
using s3ml::cli::CommandFailed;
using s3ml::cli::ValueOrFail;

constexpr size_t kMaxModelBytes = 512u << 20;

struct InferOptions {
  std::string model;
  std::vector<std::string> inputs;
  std::string labels;
  int top = 5;
  int threads = 1;
  int repeat = 1;
  float mean = 127.5f;
  float std = 127.5f;
  bool json = false;
};

long long PeakRssBytes() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0) return -1;
  return static_cast<long long>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

// The file's bytes are released as soon as the engine has its own validated copy, so that they
// do not add to the process's peak memory while the model runs.
std::shared_ptr<s3ml::engine::Model> LoadModel(const InferOptions& options) {
  const std::vector<uint8_t> model_bytes =
      ValueOrFail(s3ml::ReadFileBytes(options.model, kMaxModelBytes), "model " + options.model);
  s3ml::engine::LoadOptions load_options;
  load_options.threads = options.threads;
  return ValueOrFail(s3ml::engine::Model::Load(model_bytes, load_options), "model " + options.model);
}

void Run(const InferOptions& options) {
  const std::shared_ptr<s3ml::engine::Model> model = LoadModel(options);
  if (options.inputs.size() != model->inputs().size()) {
    throw CommandFailed(2, "model " + options.model + " has " + std::to_string(model->inputs().size()) +
                               " inputs, got " + std::to_string(options.inputs.size()) + " --input files");
  }
  if (model->outputs().empty()) throw CommandFailed(1, "model " + options.model + " has no outputs");

  std::unique_ptr<s3ml::engine::Execution> execution = ValueOrFail(model->CreateExecution(), "execution");
  const s3ml::client::PixelNormalization normalization{options.mean, options.std};
  std::vector<std::vector<uint8_t>> tensors;
  for (size_t i = 0; i < options.inputs.size(); ++i) {
    tensors.push_back(
        ValueOrFail(s3ml::client::LoadInputTensor(options.inputs[i], model->inputs()[i], normalization)));
    if (execution->input(i).size() != tensors.back().size()) {
      throw CommandFailed(1, "engine input " + std::to_string(i) + " buffer is " +
                                 std::to_string(execution->input(i).size()) + " bytes, expected " +
                                 std::to_string(tensors.back().size()));
    }
  }

  for (size_t i = 0; i < tensors.size(); ++i) {
    std::memcpy(execution->input(i).data(), tensors[i].data(), tensors[i].size());
  }
  std::vector<double> latencies_ms;
  for (int r = 0; r < options.repeat; ++r) {
    const uint64_t start = s3ml::MonotonicNanos();
    CheckOk(execution->Invoke(), "inference");
    latencies_ms.push_back(static_cast<double>(s3ml::MonotonicNanos() - start) / 1e6);
  }
  const s3ml::client::LatencySummary latency = s3ml::client::Summarize(latencies_ms);

  s3ml::client::LabelMap labels;
  if (!options.labels.empty()) labels = ValueOrFail(s3ml::client::LabelMap::Load(options.labels));
  const s3ml::engine::TensorInfo& scored = model->outputs()[0];
  const std::vector<s3ml::client::ScoredClass> top = ValueOrFail(
      s3ml::client::TopK(scored, execution->output(0), static_cast<size_t>(options.top)), "output " + scored.name);

  if (options.json) {
    nlohmann::json out;
    out["model"] = options.model;
    out["outputs"] = nlohmann::json::array();
    for (const s3ml::engine::TensorInfo& info : model->outputs()) {
      out["outputs"].push_back(
          {{"name", info.name}, {"dtype", std::string(s3ml::engine::DataTypeName(info.type))}, {"shape", info.shape}});
    }
    out["top"] = nlohmann::json::array();
    for (const s3ml::client::ScoredClass& c : top) {
      out["top"].push_back({{"index", c.index}, {"label", std::string(labels.Name(c.index))}, {"score", c.score}});
    }
    out["latency_ms"] = {{"min", latency.min}, {"median", latency.median}, {"max", latency.max}};
    out["arena_bytes"] = model->arena_bytes();
    out["peak_rss_bytes"] = PeakRssBytes();
    std::printf("%s\n", out.dump().c_str());
    return;
  }
  for (const s3ml::client::ScoredClass& c : top) {
    const std::string_view label = labels.Name(c.index);
    std::printf("%zu%s%.*s %.4g\n", c.index, label.empty() ? "" : " ", static_cast<int>(label.size()), label.data(),
                static_cast<double>(c.score));
  }
  std::printf("latency_ms min %.3f median %.3f max %.3f (%d run%s, %d thread%s)\n", latency.min, latency.median,
              latency.max, options.repeat, options.repeat == 1 ? "" : "s", options.threads,
              options.threads == 1 ? "" : "s");
  std::printf("arena_bytes %zu\npeak_rss_bytes %lld\n", model->arena_bytes(), PeakRssBytes());
}

void Setup(CLI::App& app) {
  auto options = std::make_shared<InferOptions>();
  CLI::App* cmd = app.add_subcommand("infer", "Run a .tflite model locally on one input and print the top classes");
  cmd->add_option("--model", options->model, "TFLite model file")->required();
  cmd->add_option("--input", options->inputs, "Input file (.bmp, .npy, else raw tensor bytes); one per model input")
      ->required();
  cmd->add_option("--labels", options->labels, "Label file, one label per line");
  cmd->add_option("--top", options->top, "How many classes to print")->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--threads", options->threads, "Threads per inference")->check(CLI::Range(1, 256));
  cmd->add_option("--repeat", options->repeat, "Invocations to time")->check(CLI::Range(1, 1000000));
  cmd->add_option("--mean", options->mean, "Float inputs: (pixel - mean) / std");
  cmd->add_option("--std", options->std, "Float inputs: (pixel - mean) / std");
  cmd->add_flag("--json", options->json, "Print one JSON object");
  cmd->callback([options] { Run(*options); });
}

const s3ml::cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
