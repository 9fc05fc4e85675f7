#include "tests/client/fake_ecs.h"

#include <gtest/gtest.h>

#include "attest/ratls_certificate.h"
#include "core/file.h"
#include "core/base64.h"
#include "core/hex.h"
#include "crypto/digest.h"
#include "crypto/random.h"
#include "crypto/x509_builder.h"
#include "net/router.h"
#include "tee/sim/enclave_measurement.h"

namespace s3ml::client::testing {
namespace {

namespace tt = tee::testing;

std::span<const uint8_t> Bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

struct RootCa {
  std::string pem;
  std::vector<uint8_t> der;
};

RootCa MakeRootCa(const std::string& name, const Clock& clock) {
  auto key = crypto::EcKey::Generate(crypto::EcCurve::kP384).value();
  const int64_t now = clock.NowUnixSeconds();
  auto cert = crypto::X509Builder()
                  .SetSubject({{"CN", name}})
                  .SetSerialNumber({1})
                  .SetValidity(now - 3600, now + 10LL * 365 * 86400)
                  .SetPublicKey(key)
                  .SetBasicConstraints(true)
                  .SetKeyUsage(crypto::kKeyUsageKeyCertSign | crypto::kKeyUsageCrlSign)
                  .Build(key);
  EXPECT_TRUE(cert.ok()) << cert.status().ToString();
  return {cert->Pem().value(), cert->Der()};
}

// The protocol's audit hash, written out here independently of client/ecs_client.cc.
std::string AuditHash(const std::string& prev_hex, uint64_t seq, int64_t time, const std::string& event,
                      const nlohmann::json& detail) {
  std::vector<uint8_t> m = HexDecode(prev_hex).value();
  for (int i = 0; i < 8; ++i) m.push_back(static_cast<uint8_t>(seq >> (8 * i)));
  for (int i = 0; i < 8; ++i) m.push_back(static_cast<uint8_t>(static_cast<uint64_t>(time) >> (8 * i)));
  m.insert(m.end(), event.begin(), event.end());
  m.push_back(0);
  std::string d = detail.dump();
  m.insert(m.end(), d.begin(), d.end());
  return HexEncode(crypto::Sha256(m));
}

net::HttpResponse JsonAnswer(int status, const nlohmann::json& j) { return net::HttpResponse::Json(status, j.dump()); }

}  // namespace

SimHost::SimHost() {
  tee::sim::SimAuthority authority = tt::MakeAuthority(dir_.Sub("sim"));
  collateral_ = tt::LoadSimCollateral(authority);
  root_pem_ = authority.root_certificate().Pem().value();
  qe_ = std::make_unique<tt::RunningQe>(std::move(authority), dir_.Sub("qe.sock"));
}

SimHost::~SimHost() = default;

TestEnclave SimHost::AddEnclave(const std::string& name, uint16_t isv_prod_id, uint16_t isv_svn,
                                const crypto::EcKey* signer) {
  // EcKey is move-only: a second enclave of one signer gets a copy through its DER form.
  crypto::EcKey key = signer != nullptr ? crypto::EcKey::FromPrivateKeyDer(signer->PrivateKeyDer().value().span()).value()
                                        : tt::NewSigner();
  TestEnclave e{tt::InstallEnclave(dir_.path(), name), std::move(key)};
  // Copies of one helper binary measure alike; trailing spaces in the configuration (which is
  // measured byte for byte) give each enclave its own MRENCLAVE.
  const std::string config = "{\"debug\": false}" + std::string(++enclaves_, ' ') + "\n";
  EXPECT_TRUE(WriteFileAtomic(tee::sim::EnclaveConfigPath(e.binary),
                              {reinterpret_cast<const uint8_t*>(config.data()), config.size()}, 0644)
                  .ok());
  tt::SignEnclave(e.binary, e.signer, isv_prod_id, isv_svn);
  e.mrenclave = tee::sim::MeasureEnclaveFile(e.binary).value().mrenclave;
  e.mrsigner = tt::MrSignerOf(e.signer);
  e.isv_prod_id = isv_prod_id;
  e.isv_svn = isv_svn;
  return e;
}

std::unique_ptr<EnclaveProcessPlatform> SimHost::PlatformOf(const TestEnclave& enclave) const {
  return std::make_unique<EnclaveProcessPlatform>(enclave.binary, qe_->socket());
}

FakeEcs::FakeEcs(tee::Platform* platform, tee::Platform* other, const Clock* clock)
    : platform_(platform), other_(other), clock_(clock) {
  RootCa root = MakeRootCa("fake s3ml root", *clock);
  root_pem_ = root.pem;
  root_der_ = root.der;
  other_root_pem_ = MakeRootCa("another root", *clock).pem;
}

FakeEcs::~FakeEcs() { Stop(); }

void FakeEcs::Start() {
  attest::RaTlsCertificateOptions cert_options;
  cert_options.ip_addresses = {"127.0.0.1"};
  auto creds = attest::CreateRaTlsCertificate(*platform_, cert_options, *clock_);
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  net::TlsServerOptions tls;
  tls.certificate_chain_pem = creds->certificate_pem;
  tls.private_key_pem.assign(reinterpret_cast<const char*>(creds->private_key_pem.data()), creds->private_key_pem.size());
  tls.client_certificate = net::ClientCertificateMode::kRequest;
  // Like the ECS: any client certificate is taken; handlers authorise by its key.
  tls.verifier = [](const net::CertificateChain&, std::any&) { return Status::Ok(); };
  tls.clock = clock_;
  auto context = net::TlsContext::CreateServer(tls);
  ASSERT_TRUE(context.ok()) << context.status().ToString();
  net::HttpServerOptions options;
  options.tls = *context;
  options.io_threads = 2;
  server_ = std::make_unique<net::HttpServer>(options, Routes());
  ASSERT_TRUE(server_->Start().ok());
}

void FakeEcs::Stop() {
  if (server_) server_->Shutdown(std::chrono::milliseconds(0));
}

std::optional<std::string> FakeEcs::manifest() const {
  std::lock_guard lock(mutex_);
  return manifest_;
}

std::optional<std::vector<uint8_t>> FakeEcs::model_key(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = model_keys_.find(name);
  if (it == model_keys_.end()) return std::nullopt;
  return it->second;
}

net::Router FakeEcs::Routes() {
  net::Router router;
  auto add = [&](const char* method, const char* path, std::function<net::HttpResponse(const net::HttpRequest&)> f) {
    EXPECT_TRUE(router.Add(method, path, [f](net::HttpRequest request, net::HttpResponder respond) { respond(f(request)); }).ok());
  };
  add("GET", "/v1/attestation", [this](const net::HttpRequest& r) { return Attestation(r); });
  add("PUT", "/v1/manifest", [this](const net::HttpRequest& r) { return PutManifest(r); });
  add("GET", "/v1/manifest", [this](const net::HttpRequest&) { return GetManifest(); });
  add("PUT", "/v1/models/{name}/key", [this](const net::HttpRequest& r) { return ModelKey(r, false); });
  add("POST", "/v1/models/{name}/key", [this](const net::HttpRequest& r) { return ModelKey(r, true); });
  add("GET", "/v1/audit", [this](const net::HttpRequest& r) { return Audit(r); });
  return router;
}

net::HttpResponse FakeEcs::Attestation(const net::HttpRequest& request) {
  ++attestation_requests_;
  const Misbehaviour m = misbehaviour_;
  if (request.query.rfind("nonce=", 0) != 0) return net::HttpResponse::Error(400, "nonce missing");
  auto nonce = HexDecode(request.query.substr(6));
  if (!nonce.ok() || nonce->size() < 16 || nonce->size() > 64) return net::HttpResponse::Error(400, "bad nonce");
  std::lock_guard lock(mutex_);
  if (m == Misbehaviour::kReplayAnswer && first_answer_) return net::HttpResponse::Json(200, *first_answer_);

  std::array<uint8_t, 32> manifest_hash{};
  if (manifest_) manifest_hash = crypto::Sha256(Bytes(*manifest_));
  crypto::Digester d(crypto::DigestAlgorithm::kSha256);
  d.Update(root_der_).Update(manifest_hash).Update(*nonce);
  std::vector<uint8_t> report_data = d.Finish();
  report_data.resize(64, 0);
  if (m == Misbehaviour::kNonZeroBindingTail) report_data[40] = 1;
  tee::Platform* quoting = (m == Misbehaviour::kQuoteFromOther && other_ != nullptr) ? other_ : platform_;
  auto quote = quoting->GetQuote(report_data);
  if (!quote.ok()) return net::HttpResponse::Error(500, quote.status().ToString());

  nlohmann::json answer;
  answer["quote"] = Base64Encode(*quote);
  answer["root_ca_pem"] = m == Misbehaviour::kOtherRoot ? other_root_pem_ : root_pem_;
  if (manifest_) {
    std::string sent = *manifest_;
    if (m == Misbehaviour::kManifestMismatch) sent += " ";
    answer["manifest"] = Base64Encode(Bytes(sent));
  } else {
    answer["manifest"] = nullptr;
  }
  answer["manifest_sha256"] = HexEncode(manifest_hash);
  std::string body = answer.dump();
  if (m == Misbehaviour::kReplayAnswer) first_answer_ = body;
  return net::HttpResponse::Json(200, body);
}

std::optional<net::HttpResponse> FakeEcs::RefuseNonOwner(const net::HttpRequest& request) {
  if (request.peer == nullptr || request.peer->chain.empty()) return net::HttpResponse::Error(401, "no client certificate");
  if (!manifest_) return net::HttpResponse::Error(503, "no manifest");
  auto owner = crypto::EcKey::FromPublicKeyPem(nlohmann::json::parse(*manifest_)["owner_public_key"].get<std::string>());
  auto cert = crypto::X509Certificate::FromDer(request.peer->chain.front());
  if (!owner.ok() || !cert.ok()) return net::HttpResponse::Error(403, "not the owner");
  if (cert->SubjectPublicKeyInfoDer().value() != owner->PublicKeyDer().value()) {
    return net::HttpResponse::Error(403, "client certificate is not the owner key");
  }
  return std::nullopt;
}

void FakeEcs::AppendAudit(const std::string& event, nlohmann::json detail) {
  const uint64_t seq = audit_.size();
  const int64_t time = clock_->NowUnixSeconds();
  std::string prev = seq == 0 ? std::string(64, '0') : audit_.back()["hash"].get<std::string>();
  std::string hash = AuditHash(prev, seq, time, event, detail);
  audit_.push_back({{"seq", seq}, {"time", time}, {"event", event}, {"detail", detail}, {"prev_hash", prev}, {"hash", hash}});
}

net::HttpResponse FakeEcs::PutManifest(const net::HttpRequest& request) {
  std::lock_guard lock(mutex_);
  nlohmann::json j = nlohmann::json::parse(request.body, nullptr, false);
  if (!j.is_object() || !j.contains("version") || !j["version"].is_number_integer() || !j.contains("owner_public_key")) {
    return net::HttpResponse::Error(400, "invalid manifest");
  }
  const int64_t version = j["version"].get<int64_t>();
  if (manifest_) {
    auto signature = request.headers.Get("X-S3ML-Owner-Signature");
    if (!signature) return net::HttpResponse::Error(403, "owner signature required");
    auto der = Base64Decode(*signature);
    auto current = nlohmann::json::parse(*manifest_);
    auto owner = crypto::EcKey::FromPublicKeyPem(current["owner_public_key"].get<std::string>());
    if (!der.ok() || !owner.ok() || !owner->VerifyDer(Bytes(request.body), *der).ok()) {
      return net::HttpResponse::Error(403, "bad owner signature");
    }
    if (version <= current["version"].get<int64_t>()) return net::HttpResponse::Error(409, "version not higher");
  }
  const bool update = manifest_.has_value();
  manifest_ = request.body;
  const std::string hash = HexEncode(crypto::Sha256(Bytes(request.body)));
  AppendAudit(update ? "manifest_update" : "manifest_set", {{"manifest_sha256", hash}, {"version", version}});
  return JsonAnswer(200, {{"manifest_sha256", hash}, {"version", version}});
}

net::HttpResponse FakeEcs::GetManifest() {
  std::lock_guard lock(mutex_);
  if (!manifest_) return net::HttpResponse::Error(404, "no manifest yet");
  const int64_t version = nlohmann::json::parse(*manifest_)["version"].get<int64_t>();
  return JsonAnswer(200, {{"manifest", Base64Encode(Bytes(*manifest_))},
                          {"manifest_sha256", HexEncode(crypto::Sha256(Bytes(*manifest_)))},
                          {"version", version}});
}

net::HttpResponse FakeEcs::ModelKey(const net::HttpRequest& request, bool generate) {
  std::lock_guard lock(mutex_);
  if (auto refusal = RefuseNonOwner(request)) return *refusal;
  const std::string name(request.PathParam("name"));
  bool listed = false;
  const nlohmann::json manifest = nlohmann::json::parse(*manifest_);
  for (const auto& identity : manifest["identities"]) {
    for (const auto& model : identity["models"]) listed = listed || model == name;
  }
  if (!listed) return net::HttpResponse::Error(404, "model " + name + " is in no identity's models");
  if (generate) {
    if (model_keys_.count(name) != 0) return net::HttpResponse::Error(409, "model key exists");
    model_keys_[name] = crypto::RandomBytes(32).value();
    AppendAudit("model_key_generated", {{"model", name}});
    return JsonAnswer(200, {{"model", name}, {"key", Base64Encode(model_keys_[name])}});
  }
  nlohmann::json j = nlohmann::json::parse(request.body, nullptr, false);
  if (!j.is_object() || !j.contains("key") || !j["key"].is_string()) return net::HttpResponse::Error(400, "key missing");
  auto key = Base64Decode(j["key"].get<std::string>());
  if (!key.ok() || key->size() != 32) return net::HttpResponse::Error(400, "key must be 32 bytes");
  model_keys_[name] = *key;
  AppendAudit("model_key_set", {{"model", name}});
  return JsonAnswer(200, {{"model", name}});
}

net::HttpResponse FakeEcs::Audit(const net::HttpRequest& request) {
  std::lock_guard lock(mutex_);
  if (auto refusal = RefuseNonOwner(request)) return *refusal;
  nlohmann::json entries = audit_;
  if (misbehaviour_ == Misbehaviour::kDropAuditEntry && entries.size() >= 3) entries.erase(entries.begin() + 1);
  return JsonAnswer(200, {{"entries", entries}});
}

}  // namespace s3ml::client::testing
