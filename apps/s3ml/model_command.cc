// `s3ml model encrypt|push`: models for the untrusted repository and their keys for the ECS.
//   encrypt --model M.tflite --name N --version V (--key K | --key-out K) --out REPO [--labels L]
//           writes REPO/N/V/model.tflite.s3ml (AES-256-GCM, AAD = name + version;
//           client/encrypted_model.h); --key-out generates a random key into a new 0600 file;
//           --labels seals L as REPO/N/labels.txt.s3ml under the same key (and names it in a new
//           REPO/N/config.json; an existing config is left for the user to edit)
//   push    --ecs URL --owner-dir D --name N --key K + attest flags
//           attests the ECS, then uploads the key over the owner-authenticated connection
//           (PUT /v1/models/N/key); the manifest must list the model for some identity
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "apps/s3ml/command.h"
#include "client/ecs_attest_cli.h"
#include "client/ecs_client.h"
#include "client/encrypted_model.h"
#include "client/label_map.h"
#include "client/model_key_file.h"
#include "client/owner_keys.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/hex.h"
#include "crypto/digest.h"

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

void WriteLabels(const Options& o, const crypto::SecretBytes& key, const std::string& model_dir) {
  const auto text = cli::ValueOrFail(ReadFileBytes(o.labels, client::kMaxLabelFileBytes), "--labels");
  const auto sealed = cli::ValueOrFail(client::EncryptLabels(key.span(), o.name, text), "encrypt labels");
  const std::string path = model_dir + "/" + client::kEncryptedLabelsFileName;
  cli::CheckOk(WriteFileAtomic(path, sealed, 0644), "writing " + path);
  std::printf("wrote %s\n", path.c_str());
  const std::string config = model_dir + "/config.json";
  const std::string labels_entry = std::string("\"labels\": \"") + client::kEncryptedLabelsFileName + "\"";
  std::error_code ec;
  if (std::filesystem::exists(config, ec)) {
    std::printf("%s exists: make sure it has %s\n", config.c_str(), labels_entry.c_str());
  } else {
    const std::string text = "{" + labels_entry + "}\n";
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
    cli::CheckOk(WriteFileAtomic(config, bytes, 0644), "writing " + config);
    std::printf("wrote %s\n", config.c_str());
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
  if (!o.labels.empty()) WriteLabels(o, key, model_dir);
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
