#include "cluster/cluster_state.h"

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "tests/cluster/cluster_test_util.h"

namespace s3ml::cluster {
namespace {

ClusterRecord Sample() {
  ClusterRecord r;
  r.service_port = 8443;
  r.ecs_port = 8444;
  r.ecs_mrsigner = std::string(64, 'a');
  r.server_mrenclave = std::string(64, 'b');
  r.models = {"mobilenet_v2"};
  r.components.push_back({"qe", "qe", {"/bin/s3ml", "sim", "qe"}, {}, "simulated QE listening", 0, 0, 0, ""});
  r.components.push_back({"server-1", "server", {"/bin/s3ml-server", "--listen", "127.0.0.1:8453"},
                          {"S3ML_SIM_QE_SOCKET=/x/qe.sock"}, "server listening on", 8453, 8454, 8455, ""});
  return r;
}

TEST(ClusterStateTest, RecordRoundTrips) {
  testing::TempDir dir;
  ClusterLayout layout(dir.path());
  ASSERT_TRUE(SaveClusterRecord(layout, Sample()).ok());
  auto loaded = LoadClusterRecord(layout);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->service_url(), "https://127.0.0.1:8443");
  EXPECT_EQ(loaded->ecs_url(), "https://127.0.0.1:8444");
  EXPECT_EQ(loaded->models, std::vector<std::string>{"mobilenet_v2"});
  ASSERT_EQ(loaded->components.size(), 2u);
  const ComponentRecord* server = loaded->Find("server-1");
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->argv[2], "127.0.0.1:8453");
  EXPECT_EQ(server->env, std::vector<std::string>{"S3ML_SIM_QE_SOCKET=/x/qe.sock"});
  EXPECT_EQ(server->agent_port, 8455);
  EXPECT_EQ(loaded->Servers().size(), 1u);
  EXPECT_EQ(loaded->Find("nope"), nullptr);
}

TEST(ClusterStateTest, MissingRecordIsNotFound) {
  testing::TempDir dir;
  auto loaded = LoadClusterRecord(ClusterLayout(dir.path()));
  EXPECT_EQ(loaded.status().code(), StatusCode::kNotFound);
  EXPECT_NE(loaded.status().message().find("s3ml up"), std::string::npos);
}

TEST(ClusterStateTest, RefusesMalformedRecords) {
  EXPECT_EQ(ParseClusterRecord("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseClusterRecord("[]").status().code(), StatusCode::kInvalidArgument);
  std::string good = SerializeClusterRecord(Sample());
  EXPECT_TRUE(ParseClusterRecord(good).ok());
  EXPECT_EQ(ParseClusterRecord(good.substr(0, good.size() / 2)).status().code(), StatusCode::kInvalidArgument);
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return ParseClusterRecord(s).status().code();
  };
  EXPECT_EQ(replace("\"service_port\": 8443", "\"service_port\": 70000"), StatusCode::kInvalidArgument);
  EXPECT_EQ(replace("\"service_port\": 8443", "\"service_port\": -1"), StatusCode::kInvalidArgument);
  EXPECT_EQ(replace("\"version\": 1", "\"version\": 2"), StatusCode::kInvalidArgument);
  EXPECT_EQ(replace("\"host\": \"127.0.0.1\"", "\"host\": 5"), StatusCode::kInvalidArgument);
  EXPECT_EQ(replace("\"agent_interval_ms\": 1000", "\"agent_interval_ms\": 10"), StatusCode::kInvalidArgument);
  EXPECT_EQ(replace("\"agent_interval_ms\": 1000", "\"agent_interval_ms\": 1.5"), StatusCode::kInvalidArgument);
  EXPECT_EQ(replace("\"agent_interval_ms\": 1000", "\"agent_interval_ms\": \"fast\""), StatusCode::kInvalidArgument);
}

TEST(ClusterStateTest, AgentIntervalRoundTripsAndIsOptional) {
  ClusterRecord r = Sample();
  r.agent_interval_ms = 250;
  auto parsed = ParseClusterRecord(SerializeClusterRecord(r));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->agent_interval_ms, 250);
  std::string text = SerializeClusterRecord(Sample());
  const std::string field = "\"agent_interval_ms\": 1000,";
  ASSERT_NE(text.find(field), std::string::npos);
  text.erase(text.find(field), field.size());  // a record written before the field existed
  parsed = ParseClusterRecord(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->agent_interval_ms, 1000);
}

// A cluster with emulated hosts: two hosts, a server on each, one exporter per host.
ClusterRecord SampleWithHosts() {
  ClusterRecord r = Sample();
  r.hosts = {{"abcd0123-host-0", 32, "epcd-0"}, {"abcd0123-host-1", 32, "epcd-1"}};
  r.components[1].epc_host = "abcd0123-host-0";
  r.components.push_back({"server-2", "server", {"/bin/s3ml-server"}, {}, "server listening on", 8456, 8457, 8458,
                          "abcd0123-host-1"});
  r.components.push_back({"epcd-0", "epcd", {"/bin/s3ml-epcd"}, {}, "epcd listening on", 8459, 0, 0, "abcd0123-host-0"});
  return r;
}

TEST(ClusterStateTest, HostsRoundTripAndServersOnAHost) {
  auto loaded = ParseClusterRecord(SerializeClusterRecord(SampleWithHosts()));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->hosts.size(), 2u);
  EXPECT_EQ(loaded->hosts[1].name, "abcd0123-host-1");
  EXPECT_EQ(loaded->hosts[1].capacity_mib, 32);
  EXPECT_EQ(loaded->hosts[0].exporter, "epcd-0");
  const auto on0 = loaded->ServersOn("abcd0123-host-0");
  ASSERT_EQ(on0.size(), 1u);  // the exporter on host-0 is not a server
  EXPECT_EQ(on0[0]->name, "server-1");
  ASSERT_EQ(loaded->ServersOn("abcd0123-host-1").size(), 1u);
  EXPECT_EQ(loaded->ServersOn("abcd0123-host-1")[0]->name, "server-2");
  EXPECT_EQ(loaded->Find("epcd-0")->epc_host, "abcd0123-host-0");
}

TEST(ClusterStateTest, RecordWithoutHostsHasNone) {
  const std::string text = SerializeClusterRecord(Sample());
  EXPECT_EQ(text.find("hosts"), std::string::npos);  // files of clusters without --hosts stay as before
  EXPECT_EQ(text.find("epc_host"), std::string::npos);
  auto loaded = ParseClusterRecord(text);
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded->hosts.empty());
  EXPECT_TRUE(loaded->Find("server-1")->epc_host.empty());
}

TEST(ClusterStateTest, RefusesMalformedHosts) {
  const std::string good = SerializeClusterRecord(SampleWithHosts());
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return ParseClusterRecord(s).status().code();
  };
  EXPECT_EQ(replace("\"capacity_mib\": 32.0", "\"capacity_mib\": -1"), StatusCode::kInvalidArgument);
  EXPECT_EQ(replace("\"capacity_mib\": 32.0", "\"capacity_mib\": \"big\""), StatusCode::kInvalidArgument);
  EXPECT_EQ(replace("\"name\": \"abcd0123-host-0\"", "\"name\": \"\""), StatusCode::kInvalidArgument);
  EXPECT_EQ(replace("\"hosts\": [", "\"hosts\": 3, \"x\": ["), StatusCode::kInvalidArgument);
  // A server on a host the record does not list.
  EXPECT_EQ(replace("\"epc_host\": \"abcd0123-host-1\"", "\"epc_host\": \"elsewhere\""),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(replace("\"epc_host\": \"abcd0123-host-1\"", "\"epc_host\": 7"), StatusCode::kInvalidArgument);
}

TEST(ClusterStateTest, DefaultDirectoryFollowsXdgStateHome) {
  const char* old_state = std::getenv("XDG_STATE_HOME");
  const std::string saved = old_state ? old_state : "";
  ::setenv("XDG_STATE_HOME", "/tmp/xdg-state", 1);
  EXPECT_EQ(DefaultClusterStateDir().value(), "/tmp/xdg-state/s3ml/cluster");
  ::unsetenv("XDG_STATE_HOME");
  if (const char* home = std::getenv("HOME")) {
    EXPECT_EQ(DefaultClusterStateDir().value(), std::string(home) + "/.local/state/s3ml/cluster");
  }
  if (old_state) ::setenv("XDG_STATE_HOME", saved.c_str(), 1);
}

}  // namespace
}  // namespace s3ml::cluster
