// kill -9 of the whole ECS while it writes its state (model key uploads, each committed before it
// is acknowledged), 50 times over one state directory. After every restart: the state loads, the
// audit log verifies, and every acknowledged key is there (or a later write of the same key that
// committed just before the kill): committed state is never lost or corrupted.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "ecs/audit_log.h"
#include "tests/ecs/service/ecs_test_env.h"

namespace s3ml::ecs {
namespace {

using nlohmann::json;
using testing::EcsTestHost;
using testing::Owner;

constexpr int kIterations = 50;
constexpr int kModels = 20;

std::string ModelName(int i) {
  std::string name = std::to_string(i);
  name.insert(name.begin(), 'm');
  return name;
}

TEST(EcsCrashTest, KillNineDuringStateWritesNeverLosesCommittedState) {
  EcsTestHost host;
  Owner owner = Owner::Create();
  auto server = host.AddEnclave("server", 1, 2);
  std::vector<std::string> models;
  for (int i = 0; i < kModels; ++i) models.push_back(ModelName(i));
  const std::string manifest = testing::ManifestJson(owner, 1, {testing::IdentityJson("s", server, models)});
  tee::testing::TempDir dirs;
  const std::string state = dirs.path() + "/state";
  std::map<std::string, int> acked;          // model -> iteration whose write was acknowledged last
  std::map<std::string, int> last_attempt;   // model -> last iteration that tried to write it
  std::mt19937 random(12345);
  std::string root;

  for (int iteration = 0; iteration < kIterations; ++iteration) {
    auto ecs = host.StartEcs(state);
    ASSERT_NE(ecs, nullptr) << "iteration " << iteration;
    auto client = host.Client(ecs->port(), owner.certificate_pem, owner.key_pem);
    if (iteration == 0) {
      net::HttpRequest put;
      put.method = "PUT";
      put.target = "/v1/manifest";
      put.body = manifest;
      ASSERT_EQ(client->Send(put)->status, 200);
    }
    // Check what survived the previous kill.
    auto creds = host.Credentials(server);
    auto provisioner = host.Client(ecs->port(), creds.certificate_pem, testing::AsString(creds.private_key_pem));
    auto provisioned = provisioner->Post("/v1/provision", "{}");
    ASSERT_TRUE(provisioned.ok()) << provisioned.status().ToString();
    ASSERT_EQ(provisioned->status, 200) << provisioned->body;
    json body = json::parse(provisioned->body);
    if (root.empty()) root = body["root_ca_pem"];
    EXPECT_EQ(body["root_ca_pem"], root) << "iteration " << iteration;
    for (const auto& [model, it] : acked) {
      ASSERT_TRUE(body["models"].contains(model)) << model << " lost at iteration " << iteration;
      auto key = Base64Decode(body["models"][model].get<std::string>());
      ASSERT_TRUE(key.ok());
      const int value = (*key)[0];
      EXPECT_GE(value, it) << model;
      EXPECT_LE(value, last_attempt[model]) << model;
    }
    auto audit = client->Get("/v1/audit");
    ASSERT_EQ(audit->status, 200);
    EXPECT_TRUE(AuditLog::FromJson(json::parse(audit->body)).ok()) << "iteration " << iteration;

    // Write keys until killed at a random moment.
    const int delay_ms = std::uniform_int_distribution<int>(5, 60)(random);
    std::thread killer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      ecs->Kill9();
    });
    for (int i = 0;; ++i) {
      const std::string model = ModelName((iteration * 7 + i) % kModels);
      last_attempt[model] = iteration;
      net::HttpRequest put;
      put.method = "PUT";
      put.target = "/v1/models/";
      put.target += model;
      put.target += "/key";
      put.body = json{{"key", Base64Encode(std::vector<uint8_t>(32, static_cast<uint8_t>(iteration)))}}.dump();
      auto r = client->Send(put);
      if (!r.ok()) break;
      if (r->status != 200) break;
      acked[model] = iteration;
    }
    killer.join();
  }
  EXPECT_GT(acked.size(), 0u);
}

}  // namespace
}  // namespace s3ml::ecs
