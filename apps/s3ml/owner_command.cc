// `s3ml owner init --dir D`: creates the model owner's keys (docs/protocol.md, "Keys the owner
// holds"): the owner signing key and its self-signed TLS client certificate, and the recovery key
// pair. Never overwrites an existing key (exit 1).
// `s3ml owner audit --owner-dir D --ecs URL ... [--json]`: attests the ECS, reads its audit log
// over the owner-authenticated connection, verifies the hash chain and prints the entries.
#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "apps/s3ml/command.h"
#include "client/ecs_attest_cli.h"
#include "client/ecs_client.h"
#include "client/owner_keys.h"
#include "core/time_format.h"
#include "core/clock.h"
#include "core/hex.h"
#include "crypto/digest.h"

namespace {

using namespace s3ml;

void Init(const std::string& dir) {
  client::OwnerKeys keys = cli::ValueOrFail(client::CreateOwnerKeys(dir, SystemClock::Get()), "owner init");
  client::OwnerKeyPaths paths = client::OwnerKeyPathsIn(dir);
  auto spki = cli::ValueOrFail(keys.owner_key.PublicKeyDer(), "owner key");
  std::printf("owner keys created in %s\n", dir.c_str());
  std::printf("owner key:          %s (0600)\n", paths.owner_key.c_str());
  std::printf("owner certificate:  %s\n", paths.owner_certificate.c_str());
  std::printf("recovery key:       %s (0600; move it offline)\n", paths.recovery_key.c_str());
  std::printf("recovery public:    %s\n", paths.recovery_public_key.c_str());
  std::printf("owner key SHA-256:  %s\n", HexEncode(crypto::Sha256(spki)).c_str());
}

struct AuditOptions {
  std::string owner_dir;
  client::EcsAttestFlags ecs;
  bool json = false;
};

void Audit(const AuditOptions& o) {
  client::OwnerKeys keys = cli::ValueOrFail(client::LoadOwnerKeys(o.owner_dir), "--owner-dir");
  auto options = cli::ValueOrFail(client::EcsAttestationOptionsFrom(o.ecs, &SystemClock::Get()), "owner audit");
  auto ecs = cli::ValueOrFail(client::EcsClient::Connect(options, &keys), "ECS attestation failed");
  auto entries = cli::ValueOrFail(ecs->ReadAudit(), "audit log");
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : entries) {
      out.push_back({{"seq", e.seq}, {"time", e.time}, {"event", e.event}, {"detail", nlohmann::json::parse(e.detail_json)},
                     {"hash", HexEncode(e.hash)}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  for (const auto& e : entries) {
    std::printf("%6llu %s %-20s %s\n", static_cast<unsigned long long>(e.seq), FormatRfc3339(e.time).c_str(),
                e.event.c_str(), e.detail_json.c_str());
  }
  std::printf("%zu entries, hash chain verified%s\n", entries.size(),
              entries.empty() ? "" : (", head " + HexEncode(entries.back().hash)).c_str());
}

void Setup(CLI::App& app) {
  auto* owner = app.add_subcommand("owner", "The model owner's keys");
  owner->require_subcommand(1);
  auto* init = owner->add_subcommand("init", "Create the owner and recovery key pairs in a directory");
  auto dir = std::make_shared<std::string>();
  init->add_option("--dir", *dir, "Owner directory (created 0700 if missing)")->required();
  init->callback([dir] { Init(*dir); });

  auto a = std::make_shared<AuditOptions>();
  auto* audit = owner->add_subcommand("audit", "Read and verify the ECS audit log (owner-authenticated)");
  client::AddEcsAttestFlags(audit, &a->ecs);
  audit->add_option("--owner-dir", a->owner_dir, "Owner directory (s3ml owner init)")->required();
  audit->add_flag("--json", a->json, "Print the entries as JSON");
  audit->callback([a] { Audit(*a); });
}

const cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
