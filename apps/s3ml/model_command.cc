// `s3ml model encrypt|push`: models for the untrusted repository and their keys for the ECS.
//   encrypt --model M.tflite --name N --version V (--key K | --key-out K) --out REPO [--labels L]
//           writes REPO/N/V/model.tflite.s3ml (AES-256-GCM, AAD = name + version;
//           client/encrypted_model.h); --key-out generates a random key into a new 0600 file;
//           --labels seals L as REPO/N/V/labels.txt.s3ml under the same key and names it in
//           REPO/N/config.json (client/repository_labels.h)
//   push    --ecs URL --owner-dir D --name N --key K + attest flags
//           attests the ECS, then uploads the key over the owner-authenticated connection
//           (PUT /v1/models/N/key); the manifest must list the model for some identity
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <memory>
#include <string>

#include "apps/s3ml/command.h"
#include "client/ecs_attest_cli.h"
#include "client/ecs_client.h"
#include "client/encrypted_model.h"
#include "client/label_map.h"
#include "client/model_key_file.h"
#include "client/owner_keys.h"
#include "client/repository_labels.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/hex.h"
#include "crypto/digest.h"
#include "engine/model.h"

namespace {

using namespace s3ml;

constexpr size_t kMaxModelBytes = 512u << 20;

struct Options {
  std::string model;
  std::string name;
  std::string version;
  std::string key;
  std::string key_out;
  std::string out;
  std::string labels;
  std::string owner_dir;
  client::EcsAttestFlags ecs;
};

uint64_t ParseVersion(const std::string& text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v == 0) {
    throw cli::CommandFailed(1, "--version must be a positive integer (the repository's version directory)");
  }
  return v;
}

void MakeDirectory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw cli::CommandFailed(1, "cannot create " + dir);
}

// A labels file whose line count differs from the model's classes (the classic 1000 against 1001
// of ImageNet) shifts every name: say so, the owner may know better.
void WarnIfLabelsMiss(std::span<const uint8_t> model, std::span<const uint8_t> labels) {
  auto loaded = engine::Model::Load(model);
  if (!loaded.ok() || loaded.value()->outputs().empty()) return;
  size_t classes = 1;
  for (int32_t dim : loaded.value()->outputs()[0].shape) classes *= static_cast<size_t>(std::max(dim, 1));
  const size_t lines =
      client::LabelMap::Parse(std::string_view(reinterpret_cast<const char*>(labels.data()), labels.size())).size();
  if (lines != classes) {
    std::fprintf(stderr, "warning: %zu labels for the %zu classes of the model's first output\n", lines, classes);
  }
}

void Encrypt(const Options& o) {
  cli::CheckOk(client::CheckModelName(o.name), "--name");
  const uint64_t version = ParseVersion(o.version);
  if (o.key.empty() == o.key_out.empty()) throw cli::CommandFailed(1, "give either --key K or --key-out K");
  const std::vector<uint8_t> plaintext = cli::ValueOrFail(ReadFileBytes(o.model, kMaxModelBytes), "--model");
  crypto::SecretBytes key;
  if (!o.key.empty()) {
    key = cli::ValueOrFail(client::ReadModelKeyFile(o.key), "--key");
  } else {
    key = cli::ValueOrFail(client::GenerateModelKey(), "key generation");
  }
  const std::string model_dir = o.out + "/" + o.name;
  const std::string version_dir = model_dir + "/" + std::to_string(version);
  const std::string path = version_dir + "/" + client::kEncryptedModelFileName;
  auto sealed = cli::ValueOrFail(client::EncryptModel(key.span(), o.name, version, plaintext), "encrypt");
  // The key file first: an encrypted model whose key was lost is useless.
  if (!o.key_out.empty()) cli::CheckOk(client::WriteNewModelKeyFile(o.key_out, key), "--key-out");
  MakeDirectory(o.out);
  MakeDirectory(model_dir);
  MakeDirectory(version_dir);
  cli::CheckOk(WriteFileAtomic(path, sealed, 0644), "writing " + path);
  if (!o.labels.empty()) {
    const auto labels = cli::ValueOrFail(ReadFileBytes(o.labels, client::kMaxLabelFileBytes), "--labels");
    WarnIfLabelsMiss(plaintext, labels);
    cli::CheckOk(client::WriteSealedLabels(key.span(), o.name, version, labels, model_dir), "--labels");
    std::printf("wrote %s/%llu/%s (sealed labels), named in %s/config.json\n", model_dir.c_str(),
                static_cast<unsigned long long>(version), client::kEncryptedLabelsFileName, model_dir.c_str());
  }
  std::printf("encrypted %s (%zu bytes, sha256 %s) as %s version %llu\n", o.model.c_str(), plaintext.size(),
              HexEncode(crypto::Sha256(plaintext)).c_str(), o.name.c_str(), static_cast<unsigned long long>(version));
  std::printf("wrote %s\n", path.c_str());
  if (!o.key_out.empty()) std::printf("model key: %s (0600; upload with `s3ml model push`)\n", o.key_out.c_str());
}

void Push(const Options& o) {
  cli::CheckOk(client::CheckModelName(o.name), "--name");
  crypto::SecretBytes key = cli::ValueOrFail(client::ReadModelKeyFile(o.key), "--key");
  client::OwnerKeys owner = cli::ValueOrFail(client::LoadOwnerKeys(o.owner_dir), "--owner-dir");
  auto options = cli::ValueOrFail(client::EcsAttestationOptionsFrom(o.ecs, &SystemClock::Get()), "model push");
  auto ecs = cli::ValueOrFail(client::EcsClient::Connect(options, &owner), "ECS attestation failed");
  cli::CheckOk(ecs->PutModelKey(o.name, key.span()), "ECS refused the model key");
  std::printf("model key for %s stored in the ECS %s\n", o.name.c_str(),
              client::EndpointString(ecs->attested().endpoint).c_str());
}

void Setup(CLI::App& app) {
  auto* model = app.add_subcommand("model", "Encrypted models and their keys");
  model->require_subcommand(1);

  auto e = std::make_shared<Options>();
  auto* encrypt = model->add_subcommand("encrypt", "Encrypt a .tflite model into a repository");
  encrypt->add_option("--model", e->model, "Plain .tflite model file")->required();
  encrypt->add_option("--name", e->name, "Model name ([a-z0-9._-]{1,64})")->required();
  encrypt->add_option("--version", e->version, "Model version (positive integer)")->required();
  auto* key = encrypt->add_option("--key", e->key, "Existing model key file");
  auto* key_out = encrypt->add_option("--key-out", e->key_out, "Generate a new key into this file (0600, never overwritten)");
  key->excludes(key_out);
  encrypt->add_option("--out", e->out, "Repository root")->required();
  encrypt->add_option("--labels", e->labels, "Labels file (one per line) to seal beside the model");
  encrypt->callback([e] { Encrypt(*e); });

  auto p = std::make_shared<Options>();
  auto* push = model->add_subcommand("push", "Upload a model key to the attested ECS");
  client::AddEcsAttestFlags(push, &p->ecs);
  push->add_option("--owner-dir", p->owner_dir, "Owner directory (s3ml owner init)")->required();
  push->add_option("--name", p->name, "Model name")->required();
  push->add_option("--key", p->key, "Model key file")->required();
  push->callback([p] { Push(*p); });
}

const cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
