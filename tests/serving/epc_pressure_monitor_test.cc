// apps/s3ml-server's EPC wiring (EpcPressureMonitor) against a real simulated EPC host: the agent's
// answer is "up 100%" while the host does not page and falls to a lower weight or "drain" while a
// noisy neighbour (an over-capacity region swept by a thread of this process, like `s3ml sim
// noise`) makes the host page, then recovers; the static policy never moves; the figures carry
// the host's and this enclave's rates and sizes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <utility>
#include <vector>
#include <chrono>
#include <string>
#include <thread>

#include "apps/s3ml-server/epc_pressure_monitor.h"
#include "apps/s3ml-server/server_epc.h"
#include "tee/epc/host_snapshot.h"
#include "tee/epc/enclave_memory.h"
#include "tests/tee/epc/epc_test_host.h"

namespace s3ml::server {
namespace {

namespace epc = tee::epc;
constexpr uint64_t kSecond = 1'000'000'000;

// A host of 64 pages with this process attached as enclave "server".
class ServingEpcMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(epc::EpcHost::Create(id_.id(), 64).ok());
    auto host = epc::EpcHost::Attach(id_.id(), epc::TestHost::Options(64, "server"));
    ASSERT_TRUE(host.ok()) << host.status().ToString();
    host_ = host.value();
  }
  void TearDown() override {
    region_.reset();
    host_.reset();
  }

  EpcMonitorOptions Options(std::optional<cluster::WeightThresholds> weights) const {
    EpcMonitorOptions o;
    o.host_id = id_.id();
    o.pid = static_cast<int32_t>(getpid());
    o.enclave_name = "server";
    o.weights = weights;
    return o;
  }
  static cluster::WeightThresholds Thresholds(double low, double critical) {
    cluster::WeightThresholds t;
    t.low_pages_per_second = low;
    t.critical_pages_per_second = critical;
    t.min_weight_percent = 10;
    t.hysteresis = 0.2;
    return t;
  }
  // Sweeps a 256-page region `sweeps` times: on a 64-page host every touch past the first 64 pages
  // evicts a page, and every revisit loads one back.
  void Page(int sweeps) {
    if (!region_) {
      auto region = epc::EnclaveMemory::Create(host_, 256 * epc::kEpcPageSize);
      ASSERT_TRUE(region.ok());
      region_ = std::move(region).value();
    }
    volatile uint8_t* data = region_->data();
    for (int s = 0; s < sweeps; ++s) {
      for (size_t p = 0; p < region_->page_count(); ++p) data[p * epc::kEpcPageSize] = static_cast<uint8_t>(data[p * epc::kEpcPageSize] + 1);
    }
  }

  epc::TestHost id_;
  std::shared_ptr<epc::EpcHost> host_;
  std::unique_ptr<epc::EnclaveMemory> region_;
};

TEST_F(ServingEpcMonitorTest, EpcPolicyLowersTheWeightWhileTheHostPagesAndRecovers) {
  auto monitor = EpcPressureMonitor::Create(Options(Thresholds(100, 100000)));
  ASSERT_TRUE(monitor.ok()) << monitor.status().ToString();
  EpcPressureMonitor& m = *monitor.value();
  ASSERT_TRUE(m.SampleAt(10 * kSecond).ok());
  EXPECT_EQ(m.AgentText(), "up 100%\n");  // one sample: no rate yet
  EXPECT_FALSE(m.host_paging_rate().has_value());
  ASSERT_TRUE(m.SampleAt(11 * kSecond).ok());
  EXPECT_EQ(m.AgentText(), "up 100%\n");
  EXPECT_EQ(m.host_paging_rate(), 0.0);

  Page(20);  // ~ 20 x 256 evictions and loads within the "second"
  ASSERT_TRUE(m.SampleAt(12 * kSecond).ok());
  const double rate = m.host_paging_rate().value_or(0);
  EXPECT_GT(rate, 5000);
  EXPECT_LT(rate, 100000);
  const std::string answer = m.AgentText();
  ASSERT_EQ(answer.rfind("up ", 0), 0u) << answer;
  const int weight = std::stoi(answer.substr(3));
  EXPECT_LT(weight, 100);
  EXPECT_GE(weight, 10);

  auto figures = m.figures();
  ASSERT_TRUE(figures.has_value());
  EXPECT_EQ(figures->host, id_.id());
  EXPECT_EQ(figures->capacity_bytes, 64 * epc::kEpcPageSize);
  EXPECT_GT(figures->host_evicted_per_second, 2000);
  EXPECT_GT(figures->host_loaded_per_second, 2000);
  // This process is the only enclave: its own rates are the host's.
  EXPECT_DOUBLE_EQ(figures->enclave_evicted_per_second, figures->host_evicted_per_second);
  EXPECT_GT(figures->enclave_resident_bytes, 0u);
  EXPECT_LE(figures->host_resident_bytes, 65 * epc::kEpcPageSize);

  ASSERT_TRUE(m.SampleAt(13 * kSecond).ok());  // quiet again
  EXPECT_EQ(m.AgentText(), "up 100%\n");
}

TEST_F(ServingEpcMonitorTest, EpcPolicyDrainsPastCriticalWithHysteresis) {
  auto monitor = EpcPressureMonitor::Create(Options(Thresholds(10, 1000)));
  ASSERT_TRUE(monitor.ok());
  EpcPressureMonitor& m = *monitor.value();
  ASSERT_TRUE(m.SampleAt(1 * kSecond).ok());
  Page(4);
  ASSERT_TRUE(m.SampleAt(2 * kSecond).ok());
  EXPECT_EQ(m.AgentText(), "drain\n");
  // ~1,000 page moves over 1.15 s: below critical (1000/s) but not below critical x (1 - 0.2).
  Page(2);
  ASSERT_TRUE(m.SampleAt(3 * kSecond + kSecond * 15 / 100).ok());
  EXPECT_GT(m.host_paging_rate().value(), 800);
  EXPECT_EQ(m.AgentText(), "drain\n");  // inside the hysteresis band: stays drained
  // The same paging spread over 20 s: below the band, back in rotation at a reduced weight.
  Page(2);
  ASSERT_TRUE(m.SampleAt(23 * kSecond).ok());
  EXPECT_LT(m.host_paging_rate().value(), 800);
  EXPECT_GT(m.host_paging_rate().value(), 10);
  const std::string answer = m.AgentText();
  EXPECT_EQ(answer.rfind("up ", 0), 0u) << answer;
  EXPECT_NE(answer, "up 100%\n");
}

TEST_F(ServingEpcMonitorTest, StaticPolicyNeverMovesButFiguresDo) {
  auto monitor = EpcPressureMonitor::Create(Options(std::nullopt));
  ASSERT_TRUE(monitor.ok());
  EpcPressureMonitor& m = *monitor.value();
  ASSERT_TRUE(m.SampleAt(1 * kSecond).ok());
  Page(10);
  ASSERT_TRUE(m.SampleAt(2 * kSecond).ok());
  EXPECT_EQ(m.AgentText(), "up 100%\n");
  EXPECT_GT(m.host_paging_rate().value_or(0), 1000);
}

TEST_F(ServingEpcMonitorTest, SamplingThreadFollowsANoisyNeighbourInRealTime) {
  // Critical far above what one paging thread reaches here would still leave "up 100%" for rates
  // below ~1,000 pages/s; any answer but full weight shows the wiring works.
  EpcMonitorOptions options = Options(Thresholds(100, 200000));
  options.interval = std::chrono::milliseconds(100);
  auto monitor = EpcPressureMonitor::Create(options);
  ASSERT_TRUE(monitor.ok());
  EpcPressureMonitor& m = *monitor.value();
  m.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  EXPECT_EQ(m.AgentText(), "up 100%\n");
  std::atomic<bool> stop{false};
  Page(1);  // creates the region on this thread before the neighbour thread sweeps it
  std::thread noise([&] {
    while (!stop.load()) Page(1);
  });
  std::string answer = m.AgentText();
  for (int i = 0; i < 100 && answer == "up 100%\n"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    answer = m.AgentText();
  }
  stop.store(true);
  noise.join();
  EXPECT_NE(answer, "up 100%\n");
  for (int i = 0; i < 100 && m.AgentText() != "up 100%\n"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(m.AgentText(), "up 100%\n");  // quiet host: full weight again
  m.Stop();
}

TEST_F(ServingEpcMonitorTest, ErrorsAreValues) {
  EXPECT_EQ(EpcPressureMonitor::Create(Options(Thresholds(1000, 10))).status().code(), StatusCode::kInvalidArgument);
  EpcMonitorOptions no_host = Options(std::nullopt);
  no_host.host_id = "";
  EXPECT_EQ(EpcPressureMonitor::Create(no_host).status().code(), StatusCode::kInvalidArgument);
  EpcMonitorOptions missing = Options(Thresholds(10, 1000));
  missing.host_id = "no-such-host-" + std::to_string(getpid());
  auto monitor = EpcPressureMonitor::Create(missing);
  ASSERT_TRUE(monitor.ok());
  EXPECT_EQ(monitor.value()->SampleAt(kSecond).code(), StatusCode::kNotFound);
  EXPECT_EQ(monitor.value()->AgentText(), "up 100%\n");  // no data: the last (initial) answer stands
  // Time that does not advance is refused, and the answer is kept.
  auto real = EpcPressureMonitor::Create(Options(Thresholds(10, 1000)));
  ASSERT_TRUE(real.ok());
  ASSERT_TRUE(real.value()->SampleAt(5 * kSecond).ok());
  EXPECT_EQ(real.value()->SampleAt(5 * kSecond).code(), StatusCode::kInvalidArgument);
}

TEST(ServingServerEpcSetUpTest, WithoutAHostNothingChanges) {
  serving::ModelServerOptions options;
  auto epc = SetUpServerEpc(ServerEpcFlags{}, options);
  ASSERT_TRUE(epc.ok()) << epc.status().ToString();
  EXPECT_EQ(epc.value().memory, nullptr);
  EXPECT_EQ(epc.value().monitor, nullptr);
  EXPECT_EQ(options.store.load.allocator, nullptr);
  EXPECT_FALSE(options.agent_policy);
  EXPECT_FALSE(options.epc_figures);
}

TEST(ServingServerEpcSetUpTest, BadFlagsAreInvalidArgumentAndTouchNoHost) {
  epc::TestHost id;
  ServerEpcFlags good;
  good.platform = "sim";
  good.host = id.id();
  good.agent_policy = "epc";
  const std::vector<std::pair<std::string, std::function<void(ServerEpcFlags&)>>> cases = {
      {"needs --epc-host", [](ServerEpcFlags& f) { f.host.clear(); }},
      {"--platform sim", [](ServerEpcFlags& f) { f.platform = "gramine"; }},
      {"static or epc", [](ServerEpcFlags& f) { f.agent_policy = "fancy"; }},
      {"--epc-region-mib", [](ServerEpcFlags& f) { f.region_mib = 0; }},
      {"--epc-sample-ms", [](ServerEpcFlags& f) { f.sample_ms = 0; }},
      {"--epc-capacity-mib", [](ServerEpcFlags& f) { f.capacity_mib = -1; }},
      {"--epc-capacity-mib", [](ServerEpcFlags& f) { f.capacity_mib = 0.001; }},
      {"EPC agent policy", [](ServerEpcFlags& f) { f.critical_pages_per_s = f.low_pages_per_s; }},
      {"EPC agent policy", [](ServerEpcFlags& f) { f.min_weight_percent = 0; }},
  };
  for (const auto& [message, mutate] : cases) {
    ServerEpcFlags flags = good;
    mutate(flags);
    serving::ModelServerOptions options;
    auto epc = SetUpServerEpc(flags, options);
    ASSERT_FALSE(epc.ok()) << message;
    EXPECT_EQ(epc.status().code(), StatusCode::kInvalidArgument) << message;
    EXPECT_NE(epc.status().message().find(message), std::string::npos) << epc.status().message();
  }
  EXPECT_EQ(epc::ReadHostSnapshot(id.id()).status().code(), StatusCode::kNotFound);  // never created
}

TEST(ServingServerEpcSetUpTest, WiresMemoryFiguresAndTheAgentPolicy) {
  epc::TestHost id;
  ServerEpcFlags flags;
  flags.platform = "sim";
  flags.host = id.id();
  flags.capacity_mib = 4;
  flags.region_mib = 8;
  flags.sample_ms = 50;
  flags.agent_policy = "epc";
  serving::ModelServerOptions options;
  auto epc = SetUpServerEpc(flags, options);
  ASSERT_TRUE(epc.ok()) << epc.status().ToString();
  EXPECT_EQ(options.store.load.allocator, epc.value().memory.get());
  ASSERT_TRUE(options.agent_policy && options.epc_figures);
  EXPECT_EQ(options.agent_policy(), "up 100%\n");
  EXPECT_FALSE(options.epc_figures().has_value());  // not sampled yet
  auto snapshot = epc::ReadHostSnapshot(id.id());
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot.value().capacity_pages, 4u * 256);  // this server created the host
  ASSERT_EQ(snapshot.value().enclaves.size(), 1u);
  EXPECT_EQ(snapshot.value().enclaves[0].name, "s3ml-server");
  epc.value().monitor->Start();
  for (int i = 0; i < 100 && !options.epc_figures().has_value(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(options.epc_figures().has_value());
  EXPECT_EQ(options.epc_figures()->capacity_bytes, 4u << 20);
  epc.value().monitor->Stop();

  flags.agent_policy = "static";
  serving::ModelServerOptions static_options;
  epc::TestHost other;
  flags.host = other.id();
  auto static_epc = SetUpServerEpc(flags, static_options);
  ASSERT_TRUE(static_epc.ok()) << static_epc.status().ToString();
  EXPECT_FALSE(static_options.agent_policy);  // the server's own "up 100%" / "drain"
  EXPECT_TRUE(static_options.epc_figures);
}

}  // namespace
}  // namespace s3ml::server
