// `s3ml predict --service https://HOST:PORT (--cacert ROOT.pem | --ecs URL + attest flags)
//  --model NAME [--version V] --image FILE [--labels L] [--top K] [--json] [--binary|--json-tensors]`
// Classifies one image with the s3ml inference service over HTTPS, trusting only the s3ml root
// CA: pinned earlier by `s3ml attest` (--cacert), or attested from the ECS for this call (--ecs and
// the flags of `s3ml attest`). The model's input (name, datatype, shape) comes from the service's
// KServe v2 metadata; the image is decoded and adapted to it (client/input_loader.h), sent with
// binary tensors (default) or JSON tensors, and the first output's top classes are printed with
// their labels: the service's (the classification extension, from the model's sealed labels file),
// or with --labels the local file's. --service may be repeated: failed connections are retried on
// the next one.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "apps/s3ml/command.h"
#include "client/classification_result.h"
#include "client/ecs_attest_cli.h"
#include "client/ecs_attestation.h"
#include "client/inference_client.h"
#include "client/input_loader.h"
#include "client/label_map.h"
#include "client/top_k.h"
#include "core/clock.h"
#include "core/file.h"

namespace {

using namespace s3ml;

struct Options {
  std::vector<std::string> services;
  std::string cacert;
  std::string server_name;
  std::string model;
  std::string version;
  std::string image;
  std::string labels;
  int top = 5;
  bool json = false;
  bool binary = false;
  bool json_tensors = false;
  float mean = 127.5f;
  float std = 127.5f;
  int timeout_seconds = 30;
  int attempts = 3;
  client::EcsAttestFlags ecs;  // instead of --cacert
};

// The root CA to trust: the pinned file, or the one the attested ECS holds.
std::string TrustedRoot(const Options& o) {
  if (!o.cacert.empty()) return cli::ValueOrFail(ReadFileText(o.cacert, 1 << 20), "--cacert");
  if (o.ecs.ecs_url.empty()) throw cli::CommandFailed(2, "give --cacert ROOT.pem, or --ecs URL with its attest flags");
  client::EcsAttestFlags flags = o.ecs;
  flags.timeout_seconds = o.timeout_seconds;
  auto options = cli::ValueOrFail(client::EcsAttestationOptionsFrom(flags, &SystemClock::Get()), "--ecs");
  return cli::ValueOrFail(client::AttestEcs(options), "ECS attestation failed").root_ca_pem;
}

void Run(const Options& o) {
  client::InferenceClientOptions options;
  options.endpoints = o.services;
  options.root_ca_pem = TrustedRoot(o);
  options.server_name = o.server_name;
  options.request_timeout = std::chrono::seconds(o.timeout_seconds);
  options.max_attempts = o.attempts;
  auto service = cli::ValueOrFail(client::InferenceClient::Create(options), "--service");

  client::V2ModelMetadata metadata = cli::ValueOrFail(service->ModelMetadata(o.model, o.version), "model metadata");
  if (metadata.inputs.size() != 1) {
    throw cli::CommandFailed(1, "model " + o.model + " has " + std::to_string(metadata.inputs.size()) +
                                    " inputs; predict sends one image");
  }
  if (metadata.outputs.empty()) throw cli::CommandFailed(1, "model " + o.model + " has no outputs");
  engine::TensorInfo input = cli::ValueOrFail(client::ToTensorInfo(metadata.inputs[0]), "model metadata");
  std::vector<uint8_t> tensor =
      cli::ValueOrFail(client::LoadInputTensor(o.image, input, client::PixelNormalization{o.mean, o.std}), "--image");

  client::V2InferCall call;
  call.encoding = o.json_tensors ? client::TensorEncoding::kJson : client::TensorEncoding::kBinary;
  client::V2Tensor t;
  t.name = input.name;
  t.datatype = metadata.inputs[0].datatype;
  t.shape.assign(input.shape.begin(), input.shape.end());
  t.data = std::move(tensor);
  call.inputs.push_back(std::move(t));
  call.outputs.push_back(metadata.outputs[0].name);
  // Without a local labels file the service ranks the classes and names them from the model's
  // sealed labels (the classification extension); with one, the client ranks the raw scores.
  if (o.labels.empty()) call.classification = static_cast<size_t>(o.top);

  const uint64_t start = MonotonicNanos();
  client::V2InferResult result = cli::ValueOrFail(service->Infer(o.model, o.version, call), "inference");
  const double latency_ms = static_cast<double>(MonotonicNanos() - start) / 1e6;
  if (result.outputs.empty()) throw cli::CommandFailed(1, "the service returned no output");
  const client::V2Tensor& scores = result.outputs[0];

  std::vector<client::LabeledClass> top;
  if (call.classification > 0) {
    top = cli::ValueOrFail(client::ParseClassifications(scores, metadata.outputs[0].quantization), "output " + scores.name);
    if (std::all_of(top.begin(), top.end(), [](const client::LabeledClass& c) { return c.label.empty(); })) {
      std::fprintf(stderr, "warning: the service names no class of %s (no labels file for it); --labels L names them\n",
                   o.model.c_str());
    }
  } else {
    // The output as the engine would describe it: the metadata's quantization (if reported) and
    // the shape the service actually returned.
    client::V2TensorMetadata described = metadata.outputs[0];
    described.datatype = scores.datatype;
    described.shape = scores.shape;
    engine::TensorInfo output = cli::ValueOrFail(client::ToTensorInfo(described), "output " + scores.name);
    const client::LabelMap labels = cli::ValueOrFail(client::LabelMap::Load(o.labels), "--labels");
    for (const auto& c : cli::ValueOrFail(client::TopK(output, scores.data, static_cast<size_t>(o.top)), "output " + scores.name)) {
      top.push_back({c.index, c.score, std::string(labels.Name(c.index))});
    }
  }
  if (o.json) {
    nlohmann::json j;
    j["model"] = result.model_name.empty() ? o.model : result.model_name;
    j["model_version"] = result.model_version;
    j["output"] = scores.name;
    j["top"] = nlohmann::json::array();
    for (const auto& c : top) j["top"].push_back({{"index", c.index}, {"label", c.label}, {"score", c.score}});
    j["latency_ms"] = latency_ms;
    std::printf("%s\n", j.dump().c_str());
    return;
  }
  for (const auto& c : top) {
    std::printf("%zu%s%s %.4g\n", c.index, c.label.empty() ? "" : " ", c.label.c_str(), static_cast<double>(c.score));
  }
  std::printf("model %s version %s, %.3f ms\n", (result.model_name.empty() ? o.model : result.model_name).c_str(),
              result.model_version.empty() ? "?" : result.model_version.c_str(), latency_ms);
}

void Setup(CLI::App& app) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("predict", "Classify an image with the s3ml inference service (pinned TLS)");
  cmd->add_option("--service", o->services, "Service URL https://host:port (repeat for several servers)")->required();
  auto* cacert = cmd->add_option("--cacert", o->cacert, "Pinned s3ml root CA (PEM), from `s3ml attest`");
  cacert->excludes(client::AddEcsAttestFlags(cmd, &o->ecs, client::EcsFlagsUse::kOptionalTrust));
  cmd->add_option("--server-name", o->server_name, "Name to check in the service certificate (default: the URL's host)");
  cmd->add_option("--model", o->model, "Model name")->required();
  cmd->add_option("--version", o->version, "Model version (default: the server's choice)");
  cmd->add_option("--image", o->image, "Image (.bmp), .npy or raw tensor file")->required();
  cmd->add_option("--labels", o->labels, "Local label file, one label per line (default: the service's labels)");
  cmd->add_option("--top", o->top, "How many classes to print")->check(CLI::Range(1, 1 << 20));
  cmd->add_flag("--json", o->json, "Print one JSON object");
  auto* binary = cmd->add_flag("--binary", o->binary, "Send tensors with the binary data extension (default)");
  auto* json_tensors = cmd->add_flag("--json-tensors", o->json_tensors, "Send tensors as JSON lists");
  binary->excludes(json_tensors);
  cmd->add_option("--mean", o->mean, "Float inputs: (pixel - mean) / std");
  cmd->add_option("--std", o->std, "Float inputs: (pixel - mean) / std");
  cmd->add_option("--timeout", o->timeout_seconds, "Per-request timeout in seconds")->check(CLI::Range(1, 3600));
  cmd->add_option("--attempts", o->attempts, "Attempts per request across connections/servers")->check(CLI::Range(1, 100));
  cmd->callback([o] { Run(*o); });
}

const cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
