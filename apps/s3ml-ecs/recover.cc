// `s3ml-ecs recover`: on a new (or rebuilt) host, decrypt the state with the owner's recovery
// key, re-seal it for this platform and record the recovery in the audit log.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "apps/s3ml-ecs/subcommands.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/hex.h"
#include "crypto/digest.h"
#include "crypto/secret_bytes.h"
#include "crypto/x509_certificate.h"
#include "ecs/state_store.h"
#include "tee/platform_factory.h"

namespace s3ml::ecs_app {

void AddRecover(CLI::App& app, RecoverOptions& o) {
  CLI::App* cmd = app.add_subcommand("recover", "Restore the state on this host with the owner's recovery key");
  cmd->add_option("--state", o.state_dir, "State directory")->required();
  cmd->add_option("--recovery-key", o.recovery_key, "The owner's recovery private key (PEM)")->required();
  cmd->add_option("--platform", o.platform, "TEE backend: sim or gramine")->check(CLI::IsMember({"sim", "gramine"}));
}

int Recover(const RecoverOptions& o) {
  auto fail = [](const std::string& context, const Status& status) {
    std::fprintf(stderr, "s3ml-ecs: %s: %s\n", context.c_str(), status.ToString().c_str());
    return 1;
  };
  auto platform = tee::CreatePlatform(o.platform, tee::PlatformOptions{});
  if (!platform.ok()) return fail("--platform", platform.status());
  auto key = ReadFileBytes(o.recovery_key, 64 * 1024);
  if (!key.ok()) return fail("--recovery-key", key.status());
  crypto::SecretBytes key_pem(*key);
  std::fill(key->begin(), key->end(), 0);
  auto store = ecs::StateStore::Open(o.state_dir, **platform);
  if (!store.ok()) return fail("state " + o.state_dir, store.status());
  auto state = (*store)->Recover(
      std::string_view(reinterpret_cast<const char*>(key_pem.data()), key_pem.size()));
  if (!state.ok()) return fail("recover", state.status());
  const int64_t now = SystemClock::Get().NowUnixSeconds();
  auto root = crypto::X509Certificate::FromPem(state->root_ca_certificate_pem);
  const std::string fingerprint = root.ok() ? HexEncode(crypto::Sha256(root->Der())) : "?";
  state->audit.Append(now, "recovered", nlohmann::json{{"root_ca_sha256", fingerprint}});
  if (Status committed = (*store)->Commit(*state); !committed.ok()) return fail("commit", committed);
  std::printf("recovered state version %llu, root CA sha256 %s\n", static_cast<unsigned long long>(state->version),
              fingerprint.c_str());
  return 0;
}

}  // namespace s3ml::ecs_app
