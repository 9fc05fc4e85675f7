// `s3ml manifest set|update|show --ecs URL ... `: the deployment's manifest on the ECS
// (docs/protocol.md, "Manifest"). Every subcommand first attests the ECS (client/ecs_attestation.h).
//   set     --owner-dir D --file M.json   the first manifest (unsigned; refused if one exists)
//   update  --owner-dir D --file M.json   a later manifest, signed with the owner key; its version
//                                         must be higher than the attested one
//   show    [--out FILE]                  prints (or writes) the manifest the ECS attested to
// set/update check before sending that the manifest names this owner directory's keys, so an
// owner cannot lock themselves out by a typo.
#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "apps/s3ml/command.h"
#include "client/ecs_attest_cli.h"
#include "client/ecs_client.h"
#include "client/manifest_builder.h"
#include "client/owner_keys.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/hex.h"
#include "crypto/ec_key.h"

namespace {

using namespace s3ml;

constexpr size_t kMaxManifestFile = 1 << 20;

struct Options {
  client::EcsAttestFlags ecs;
  std::string owner_dir;
  std::string file;
  std::string out;
};

// The manifest's key member must be the same public key as `pem` (compared as DER SPKI).
void CheckKeyMember(const nlohmann::json& manifest, const char* member, const std::string& pem, const std::string& file) {
  auto it = manifest.find(member);
  if (it == manifest.end() || !it->is_string()) throw cli::CommandFailed(1, file + ": " + member + " missing");
  auto named = crypto::EcKey::FromPublicKeyPem(it->get<std::string>());
  auto ours = crypto::EcKey::FromPublicKeyPem(pem);
  if (!named.ok()) throw cli::CommandFailed(1, file + ": " + member + " is not a PEM public key");
  auto named_der = named->PublicKeyDer();
  auto our_der = ours.ok() ? ours->PublicKeyDer() : Result<std::vector<uint8_t>>(ours.status());
  if (!named_der.ok() || !our_der.ok() || *named_der != *our_der) {
    throw cli::CommandFailed(1, file + ": " + member + " is not the key in the owner directory");
  }
}

std::string ReadManifestFile(const Options& o, const client::OwnerKeys& keys) {
  std::string bytes = cli::ValueOrFail(ReadFileText(o.file, kMaxManifestFile), "--file");
  nlohmann::json j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) throw cli::CommandFailed(1, o.file + " is not a JSON object");
  CheckKeyMember(j, "owner_public_key", keys.owner_public_key_pem, o.file);
  CheckKeyMember(j, "recovery_public_key", keys.recovery_public_key_pem, o.file);
  return bytes;
}

void PrintInfo(const char* what, const client::ManifestInfo& info) {
  std::printf("%s: version %lld, sha256 %s\n", what, static_cast<long long>(info.version),
              HexEncode(info.manifest_sha256).c_str());
}

void Set(const Options& o, bool update) {
  client::OwnerKeys keys = cli::ValueOrFail(client::LoadOwnerKeys(o.owner_dir), "--owner-dir");
  std::string manifest = ReadManifestFile(o, keys);
  int64_t version = cli::ValueOrFail(client::ManifestVersion(manifest), o.file);
  auto options = cli::ValueOrFail(client::EcsAttestationOptionsFrom(o.ecs, &SystemClock::Get()), "manifest");
  auto ecs = cli::ValueOrFail(client::EcsClient::Connect(options, &keys), "ECS attestation failed");
  const auto& current = ecs->attested().manifest;
  if (!update && current) throw cli::CommandFailed(1, "the ECS already has a manifest; use `s3ml manifest update`");
  if (update) {
    if (!current) throw cli::CommandFailed(1, "the ECS has no manifest yet; use `s3ml manifest set`");
    auto current_version = client::ManifestVersion(*current);
    if (current_version.ok() && version <= *current_version) {
      throw cli::CommandFailed(1, "manifest version " + std::to_string(version) + " is not higher than the current " +
                                      std::to_string(*current_version));
    }
  }
  auto info = update ? ecs->UpdateManifest(manifest) : ecs->SetManifest(manifest);
  PrintInfo(update ? "manifest updated" : "manifest set", cli::ValueOrFail(std::move(info), "ECS refused the manifest"));
}

void Show(const Options& o) {
  auto options = cli::ValueOrFail(client::EcsAttestationOptionsFrom(o.ecs, &SystemClock::Get()), "manifest");
  auto ecs = cli::ValueOrFail(client::AttestEcs(options), "ECS attestation failed");
  if (!ecs.manifest) throw cli::CommandFailed(1, "the ECS has no manifest yet");
  if (!o.out.empty()) {
    cli::CheckOk(WriteFileAtomic(o.out, {reinterpret_cast<const uint8_t*>(ecs.manifest->data()), ecs.manifest->size()}, 0644),
                 "--out");
    std::fprintf(stderr, "manifest sha256 %s written to %s\n", HexEncode(ecs.manifest_sha256).c_str(), o.out.c_str());
    return;
  }
  std::fwrite(ecs.manifest->data(), 1, ecs.manifest->size(), stdout);
  if (!ecs.manifest->empty() && ecs.manifest->back() != '\n') std::printf("\n");
  std::fprintf(stderr, "manifest sha256 %s (attested)\n", HexEncode(ecs.manifest_sha256).c_str());
}

void Setup(CLI::App& app) {
  auto* manifest = app.add_subcommand("manifest", "The deployment manifest on the ECS");
  manifest->require_subcommand(1);
  for (const char* name : {"set", "update"}) {
    const bool update = std::string(name) == "update";
    auto o = std::make_shared<Options>();
    auto* cmd = manifest->add_subcommand(name, update ? "Send a new manifest, signed with the owner key"
                                                      : "Send the first manifest to a freshly started ECS");
    client::AddEcsAttestFlags(cmd, &o->ecs);
    cmd->add_option("--owner-dir", o->owner_dir, "Owner directory (s3ml owner init)")->required();
    cmd->add_option("--file", o->file, "Manifest JSON file (sent byte for byte)")->required();
    cmd->callback([o, update] { Set(*o, update); });
  }
  auto o = std::make_shared<Options>();
  auto* show = manifest->add_subcommand("show", "Print the manifest the attested ECS holds");
  client::AddEcsAttestFlags(show, &o->ecs);
  show->add_option("--out", o->out, "Write the manifest bytes to this file instead of stdout");
  show->callback([o] { Show(*o); });
}

const cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
