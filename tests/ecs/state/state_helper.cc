// A tiny enclave program for the state tests: it drives a StateStore through SimPlatform, so the
// simulated quoting daemon measures it and its seal keys are those of its own (test-signed)
// identity, as for s3ml-ecs. The tests install, configure and sign copies of it.
//
//   ecs_state_helper SOCKET      then one command per line on stdin, one reply line on stdout:
//     open DIR          StateStore::Open
//     load              StateStore::Load: "ok none" or "ok <state JSON>"
//     commit            makes the next version of the session's state (a first-boot fixture when
//                       there is none) and commits it: "ok <state JSON>"
//     commit-version N  commits the session's state claiming version N (stale-copy check)
//     commit-loop       commits forever, printing "committed V" after each commit returns
//     audit N           appends N "provision" audit entries to the session's state and commits
//                       (only the audit journal changes): "ok <state JSON>"
//     manifest FILE     sets the session state's manifest to FILE's bytes (no commit)
//     recover PEMFILE   StateStore::Recover with the key in PEMFILE: "ok <state JSON>"
//     close             destroys the store (releases the lock)
//   Errors: "error <StatusCode> <message>". EOF on stdin ends the program.
//
// Version V of the fixture holds model keys model-1..model-V (model-v = SHA-256("model key v"))
// and V audit entries, entry v-1 with detail {"version": v}: a loaded state can be checked for
// self-consistency whatever version it is.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/file.h"
#include "core/hex.h"
#include "crypto/digest.h"
#include "crypto/ec_key.h"
#include "crypto/x509_builder.h"
#include "ecs/state_store.h"
#include "tee/sim/sim_platform.h"

namespace {

using namespace s3ml;
using nlohmann::json;

constexpr int64_t kBaseTime = 1767225600;

std::string Str(const crypto::SecretBytes& b) { return std::string(b.data(), b.data() + b.size()); }

json Dump(const ecs::EcsState& s) {
  json keys = json::object();
  for (const auto& [name, key] : s.model_keys) keys[name] = HexEncode(key.span());
  return json{{"version", s.version},
              {"created_at", s.created_at},
              {"root_ca_certificate_pem", s.root_ca_certificate_pem},
              {"root_ca_private_key_pem", Str(s.root_ca_private_key_pem)},
              {"intermediate_certificate_pem", s.intermediate_certificate_pem},
              {"intermediate_private_key_pem", Str(s.intermediate_private_key_pem)},
              {"service_private_key_pem", Str(s.service_private_key_pem)},
              {"manifest", s.manifest.has_value() ? json(*s.manifest) : json(nullptr)},
              {"model_keys", keys},
              {"audit", s.audit.ToJson()},
              {"audit_anchor_count", s.audit_anchor.count}};
}

Result<std::string> CertificatePem(const crypto::EcKey& subject, const crypto::EcKey& signer, const std::string& cn,
                                   const crypto::X509Certificate* issuer) {
  crypto::X509Builder b;
  b.SetSubject({{"CN", cn}}).SetValidity(kBaseTime, kBaseTime + 86400).SetPublicKey(subject);
  b.SetBasicConstraints(true).SetKeyUsage(crypto::kKeyUsageKeyCertSign);
  if (issuer != nullptr) b.SetIssuer(*issuer);
  S3ML_ASSIGN_OR_RETURN(crypto::X509Certificate cert, b.Build(signer));
  return cert.Pem();
}

// What first boot makes: real keys and certificates, so the state has realistic sizes.
Result<ecs::EcsState> FirstBootState() {
  ecs::EcsState s;
  s.created_at = kBaseTime;
  S3ML_ASSIGN_OR_RETURN(auto root, crypto::EcKey::Generate(crypto::EcCurve::kP384));
  S3ML_ASSIGN_OR_RETURN(auto intermediate, crypto::EcKey::Generate(crypto::EcCurve::kP384));
  S3ML_ASSIGN_OR_RETURN(auto service, crypto::EcKey::Generate(crypto::EcCurve::kP256));
  S3ML_ASSIGN_OR_RETURN(s.root_ca_certificate_pem, CertificatePem(root, root, "root", nullptr));
  S3ML_ASSIGN_OR_RETURN(auto root_cert, crypto::X509Certificate::FromPem(s.root_ca_certificate_pem));
  S3ML_ASSIGN_OR_RETURN(s.intermediate_certificate_pem,
                        CertificatePem(intermediate, root, "intermediate", &root_cert));
  S3ML_ASSIGN_OR_RETURN(s.root_ca_private_key_pem, root.PrivateKeyPem());
  S3ML_ASSIGN_OR_RETURN(s.intermediate_private_key_pem, intermediate.PrivateKeyPem());
  S3ML_ASSIGN_OR_RETURN(s.service_private_key_pem, service.PrivateKeyPem());
  return s;
}

void AddVersionContent(ecs::EcsState& s, uint64_t v) {
  const std::string name = "model-" + std::to_string(v);
  s.model_keys.insert_or_assign(name, crypto::SecretBytes(crypto::Sha256(AsBytes("model key " + std::to_string(v)))));
  s.audit.Append(kBaseTime + static_cast<int64_t>(v), v == 1 ? "first_boot" : "model_key_set",
                 json{{"model", name}, {"version", v}});
}

class Session {
 public:
  explicit Session(std::string socket) : platform_(std::move(socket)) {}

  std::string Handle(const std::string& line) {
    std::istringstream in(line);
    std::string cmd, arg;
    in >> cmd;
    std::getline(in >> std::ws, arg);
    if (cmd == "open") {
      store_.reset();
      auto store = ecs::StateStore::Open(arg, platform_);
      if (!store.ok()) return Error(store.status());
      store_ = std::move(store).value();
      state_.reset();
      return "ok";
    }
    if (cmd == "close") {
      store_.reset();
      state_.reset();
      return "ok";
    }
    if (store_ == nullptr) return "error FailedPrecondition no store open";
    if (cmd == "load") {
      auto loaded = store_->Load();
      if (!loaded.ok()) return Error(loaded.status());
      state_ = std::move(loaded).value();
      return state_.has_value() ? "ok " + Dump(*state_).dump() : "ok none";
    }
    if (cmd == "commit") {
      Status s = CommitNext();
      return s.ok() ? "ok " + Dump(*state_).dump() : Error(s);
    }
    if (cmd == "commit-version") {
      if (!state_.has_value()) return "error FailedPrecondition no state loaded";
      ecs::EcsState copy = state_->Clone();
      copy.version = std::stoull(arg);
      Status s = store_->Commit(copy);
      return s.ok() ? "ok " + Dump(copy).dump() : Error(s);
    }
    if (cmd == "commit-loop") {
      for (;;) {
        Status s = CommitNext();
        if (!s.ok()) return Error(s);
        std::printf("committed %llu\n", static_cast<unsigned long long>(state_->version));
        std::fflush(stdout);
      }
    }
    if (cmd == "audit") {
      if (!state_.has_value()) return "error FailedPrecondition no state loaded";
      for (int i = std::stoi(arg); i > 0; --i) {
        state_->audit.Append(kBaseTime, "provision", json{{"identity", "test"}});
      }
      Status s = store_->Commit(*state_);
      return s.ok() ? "ok " + Dump(*state_).dump() : Error(s);
    }
    if (cmd == "manifest") {
      if (!state_.has_value()) return "error FailedPrecondition no state loaded";
      auto text = ReadFileText(arg);
      if (!text.ok()) return Error(text.status());
      state_->manifest = text.value();
      return "ok";
    }
    if (cmd == "recover") {
      auto pem = ReadFileText(arg);
      if (!pem.ok()) return Error(pem.status());
      auto state = store_->Recover(pem.value());
      if (!state.ok()) return Error(state.status());
      state_ = std::move(state).value();
      return "ok " + Dump(*state_).dump();
    }
    return "error InvalidArgument unknown command '" + cmd + "'";
  }

 private:
  static std::string Error(const Status& s) {
    std::string m = s.message();
    for (char& c : m) {
      if (c == '\n') c = ' ';
    }
    return "error " + std::string(StatusCodeName(s.code())) + " " + m;
  }

  Status CommitNext() {
    if (!state_.has_value()) {
      S3ML_ASSIGN_OR_RETURN(ecs::EcsState fresh, FirstBootState());
      state_ = std::move(fresh);
    }
    ecs::EcsState next = state_->Clone();
    AddVersionContent(next, next.version + 1);
    S3ML_RETURN_IF_ERROR(store_->Commit(next));
    state_ = std::move(next);
    return Status::Ok();
  }

  tee::sim::SimPlatform platform_;
  std::unique_ptr<ecs::StateStore> store_;
  std::optional<ecs::EcsState> state_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ecs_state_helper SOCKET < commands\n");
    return 2;
  }
  Session session(argv[1]);
  std::string line;
  while (std::getline(std::cin, line)) {
    const std::string reply = session.Handle(line);
    std::printf("%s\n", reply.c_str());
    std::fflush(stdout);
  }
  return 0;
}
