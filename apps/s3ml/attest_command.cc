// `s3ml attest --ecs URL --expect-mrenclave HEX|--expect-mrsigner HEX [--collateral DIR|--pccs URL]
//  [--allow-sim --sim-root PEM] [--out ROOT.pem] [--json]`: attests the Enclave Configuration
// Service (client/ecs_attestation.h: RA-TLS handshake, fresh nonce, quote, binding, manifest
// hash), prints the verified identity, TCB status and manifest hash, and stores the root CA to
// pin (default $XDG_CONFIG_HOME/s3ml/roots/<host>_<port>.pem). Exit 1 when anything fails.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "apps/s3ml/command.h"
#include "client/ecs_attest_cli.h"
#include "client/ecs_attestation.h"
#include "client/manifest_builder.h"
#include "core/clock.h"
#include "core/file.h"
#include "core/hex.h"
#include "core/time_format.h"
#include "crypto/digest.h"

namespace {

using namespace s3ml;

struct Options {
  client::EcsAttestFlags ecs;
  std::string out;
  bool json = false;
};

// mkdir -p with 0700 for the directories we create (the pinned roots are trust decisions).
void MakeParents(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    std::string dir = path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      throw cli::CommandFailed(1, "cannot create directory " + dir);
    }
  }
}

void Run(const Options& o) {
  auto options = cli::ValueOrFail(client::EcsAttestationOptionsFrom(o.ecs, &SystemClock::Get()), "attest");
  client::AttestedEcs ecs = cli::ValueOrFail(client::AttestEcs(options), "ECS attestation failed");
  const std::string out = o.out.empty() ? client::DefaultRootPath(ecs.endpoint) : o.out;
  MakeParents(out);
  cli::CheckOk(WriteFileAtomic(out, {reinterpret_cast<const uint8_t*>(ecs.root_ca_pem.data()), ecs.root_ca_pem.size()}, 0644),
               "writing the root CA");

  const auto& id = ecs.quote.identity;
  std::string tcb(attest::TcbStatusName(ecs.quote.tcb_status));
  std::string version = "none";
  if (ecs.manifest) {
    auto v = client::ManifestVersion(*ecs.manifest);
    version = v.ok() ? std::to_string(*v) : "unreadable";
  }
  const std::string root_fingerprint = HexEncode(crypto::Sha256(ecs.root_ca_der));
  if (o.json) {
    nlohmann::json j = {{"verified", true},
                        {"ecs", client::EndpointString(ecs.endpoint)},
                        {"mrenclave", HexEncode(id.mrenclave)},
                        {"mrsigner", HexEncode(id.mrsigner)},
                        {"isvprodid", id.isv_prod_id},
                        {"isvsvn", id.isv_svn},
                        {"debug", id.debug},
                        {"simulated", ecs.quote.simulated_root},
                        {"tcb_status", tcb},
                        {"advisory_ids", ecs.quote.advisory_ids},
                        {"manifest_sha256", ecs.manifest ? HexEncode(ecs.manifest_sha256) : ""},
                        {"manifest_version", version},
                        {"root_ca_sha256", root_fingerprint},
                        {"root_ca_path", out},
                        {"valid_until", FormatRfc3339(ecs.quote.valid_until)}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("ECS %s attested (%s)\n", client::EndpointString(ecs.endpoint).c_str(),
              ecs.quote.simulated_root ? "SIMULATED platform" : ecs.quote.trust_anchor.c_str());
  std::printf("mrenclave:        %s\n", HexEncode(id.mrenclave).c_str());
  std::printf("mrsigner:         %s\n", HexEncode(id.mrsigner).c_str());
  std::printf("isvprodid/isvsvn: %u / %u%s\n", id.isv_prod_id, id.isv_svn, id.debug ? " (DEBUG enclave)" : "");
  std::string advisories;
  for (const auto& a : ecs.quote.advisory_ids) advisories += (advisories.empty() ? ", advisories: " : " ") + a;
  std::printf("tcb status:       %s%s\n", tcb.c_str(), advisories.c_str());
  if (ecs.manifest) {
    std::printf("manifest:         version %s, sha256 %s\n", version.c_str(), HexEncode(ecs.manifest_sha256).c_str());
  } else {
    std::printf("manifest:         none yet (set one with `s3ml manifest set`)\n");
  }
  std::printf("root CA:          sha256 %s\n", root_fingerprint.c_str());
  std::printf("root CA stored:   %s\n", out.c_str());
}

void Setup(CLI::App& app) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("attest", "Attest the Enclave Configuration Service and pin its root CA");
  client::AddEcsAttestFlags(cmd, &o->ecs);
  cmd->add_option("--out", o->out, "Where to store the root CA (default $XDG_CONFIG_HOME/s3ml/roots/<host>_<port>.pem)");
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([o] { Run(*o); });
}

const cli::CommandRegistrar kRegistrar(&Setup);

}  // namespace
