// Unit tests of the provisioning pieces that need no network: the ECS's provisioning
// answer, the --ecs URL and HOST:PORT flags, the ECS trust flags and the renewal timer.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "serving/certificate_renewer.h"
#include "serving/ecs_trust.h"
#include "serving/model_server.h"
#include "serving/provision_response.h"
#include "serving/provisioning_client.h"
#include "tests/serving/settable_clock.h"

namespace s3ml::serving {
namespace {

using nlohmann::json;

json GoodAnswer() {
  return {{"identity", "model-server"},
          {"certificate_chain_pem", "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"},
          {"private_key_pem", "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n"},
          {"root_ca_pem", "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"},
          {"not_after", 2000},
          {"renew_after", 1500},
          {"models", {{"mobilenet_v2", Base64Encode(std::vector<uint8_t>(32, 7))}}},
          {"manifest_sha256", std::string(64, 'a')},
          {"future_member", 1}};
}

TEST(ProvisionResponseTest, ParsesTheProtocolAnswer) {
  auto parsed = ParseProvisionResponse(GoodAnswer().dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed.value().identity, "model-server");
  EXPECT_EQ(parsed.value().not_after, 2000);
  EXPECT_EQ(parsed.value().renew_after, 1500);
  ASSERT_EQ(parsed.value().model_keys.size(), 1u);
  EXPECT_TRUE(parsed.value().model_keys.at("mobilenet_v2").Equals(std::vector<uint8_t>(32, 7)));
  EXPECT_NE(std::string(reinterpret_cast<const char*>(parsed.value().private_key_pem.data()),
                        parsed.value().private_key_pem.size())
                .find("PRIVATE KEY"),
            std::string::npos);
}

TEST(ProvisionResponseTest, RefusesEachBrokenMember) {
  struct Case {
    const char* name;
    std::function<void(json&)> edit;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"not json", nullptr, "provisioning answer"},
      {"no identity", [](json& j) { j.erase("identity"); }, "identity"},
      {"chain not pem", [](json& j) { j["certificate_chain_pem"] = "hello"; }, "certificate_chain_pem"},
      {"key not string", [](json& j) { j["private_key_pem"] = 3; }, "private_key_pem"},
      {"key not pem", [](json& j) { j["private_key_pem"] = "secret"; }, "private_key_pem"},
      {"no root", [](json& j) { j.erase("root_ca_pem"); }, "root_ca_pem"},
      {"not_after text", [](json& j) { j["not_after"] = "2000"; }, "not_after"},
      {"renew after expiry", [](json& j) { j["renew_after"] = 3000; }, "renew_after"},
      {"models array", [](json& j) { j["models"] = json::array(); }, "models"},
      {"bad model name", [](json& j) { j["models"] = {{"../x", Base64Encode(std::vector<uint8_t>(32))}}; }, "invalid model"},
      {"short key", [](json& j) { j["models"] = {{"m", Base64Encode(std::vector<uint8_t>(16))}}; }, "32 bytes"},
      {"bad base64", [](json& j) { j["models"] = {{"m", "!!!!"}}; }, "base64"},
      {"manifest hash", [](json& j) { j["manifest_sha256"] = "ABC"; }, "manifest_sha256"},
  };
  for (const Case& c : cases) {
    std::string body = "{not json";
    if (c.edit) {
      json answer = GoodAnswer();
      c.edit(answer);
      body = answer.dump();
    }
    auto parsed = ParseProvisionResponse(body);
    ASSERT_FALSE(parsed.ok()) << c.name;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(parsed.status().message().find(c.expected), std::string::npos) << c.name << ": " << parsed.status().message();
    EXPECT_EQ(parsed.status().message().find("secret"), std::string::npos) << c.name;
  }
}

TEST(EcsUrlTest, ParsesHostAndPort) {
  auto a = ParseEcsUrl("https://127.0.0.1:8444");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.value().host, "127.0.0.1");
  EXPECT_EQ(a.value().port, 8444);
  auto b = ParseEcsUrl("https://ecs.local/");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.value().port, 443);
  auto c = ParseEcsUrl("https://[::1]:9000");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value().host, "::1");
  for (const char* bad : {"http://x:1", "https://", "https://x:", "https://x:0", "https://x:70000", "https://x:1/v1",
                          "https://[::1", "https://x:1a"}) {
    EXPECT_FALSE(ParseEcsUrl(bad).ok()) << bad;
  }
}

TEST(EcsTrustTest, NamesTheFlagThatIsWrong) {
  FixedClock clock(0);
  EcsTrustOptions options;
  options.clock = &clock;
  options.collateral_dir = std::string(S3ML_TESTDATA_DIR) + "/sgx/automata";
  EXPECT_NE(MakeEcsVerifierOptions(options).status().message().find("--ecs-mrenclave"), std::string::npos);
  options.mrenclave_hex = "abcd";
  EXPECT_NE(MakeEcsVerifierOptions(options).status().message().find("64 hex"), std::string::npos);
  options.mrenclave_hex = std::string(64, 'a');
  options.mrsigner_hex = std::string(64, 'b');
  EXPECT_FALSE(MakeEcsVerifierOptions(options).ok());
  options.mrsigner_hex.clear();
  auto ok = MakeEcsVerifierOptions(options);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok.value().policy.allowed_mrenclaves.size(), 1u);
  EXPECT_FALSE(ok.value().policy.allow_simulated);
  options.sim_root_pem = "-----BEGIN CERTIFICATE-----";
  EXPECT_NE(MakeEcsVerifierOptions(options).status().message().find("--allow-sim"), std::string::npos);
  options.sim_root_pem.clear();
  options.pccs_url = "https://pccs:8081";
  EXPECT_NE(MakeEcsVerifierOptions(options).status().message().find("--collateral"), std::string::npos);
  options.pccs_url.clear();
  options.collateral_dir = "/nonexistent";
  EXPECT_NE(MakeEcsVerifierOptions(options).status().message().find("--collateral"), std::string::npos);
}

TEST(CertificateRenewerTest, RenewsWhenDueAndRetriesFailures) {
  testing::SettableClock clock(1000);
  std::atomic<int> calls{0};
  RenewerOptions options;
  options.retry_delay = std::chrono::milliseconds(10);
  options.max_wait = std::chrono::milliseconds(10);
  CertificateRenewer renewer(&clock, /*renew_after=*/1000, [&]() -> Result<int64_t> {
    const int call = ++calls;
    if (call == 1) return Unavailable("ECS down");
    return 5000;
  }, options);
  for (int i = 0; i < 500 && renewer.renewals() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(renewer.failures(), 1u);
  EXPECT_EQ(renewer.renewals(), 1u);
  // Not due again until the clock reaches 5000.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(calls.load(), 2);
  clock.Set(5000);
  for (int i = 0; i < 500 && renewer.renewals() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(renewer.renewals(), 2u);
  renewer.Stop();
}

}  // namespace
}  // namespace s3ml::serving
